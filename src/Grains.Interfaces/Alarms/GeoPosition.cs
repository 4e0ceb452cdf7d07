namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>A position in WGS 84 decimal degrees.</summary>
/// <param name="Latitude">Latitude, −90 to 90 (north positive).</param>
/// <param name="Longitude">Longitude, −180 to 180 (east positive).</param>
[GenerateSerializer, Immutable]
[Alias("alarminbox.GeoPosition")]
public sealed record GeoPosition([property: Id(0)] double Latitude, [property: Id(1)] double Longitude);
