namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>Where the keyword (Stichwort) of an alarm is taken from.</summary>
[GenerateSerializer]
[Alias("alarminbox.KeywordSource")]
public enum KeywordSource
{
    /// <summary>The decoded subject of the mail (the default).</summary>
    Subject = 0,

    /// <summary>The value of a labelled line (<see cref="EvaluationSettings.KeywordLabel"/>, <c>Stichwort</c> by default) or of the XML incident attachment; none when the mail has no such line.</summary>
    Label = 1,
}
