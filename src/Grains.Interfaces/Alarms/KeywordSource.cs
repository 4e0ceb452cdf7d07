namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>Where the keyword (Stichwort) of an alarm is taken from.</summary>
[GenerateSerializer]
[Alias("alarminbox.KeywordSource")]
public enum KeywordSource
{
    /// <summary>The decoded subject of the mail without reply/forward prefixes (the default of tenants created before <see cref="Auto"/> existed).</summary>
    Subject = 0,

    /// <summary>The value of a labelled line (<see cref="EvaluationSettings.KeywordLabel"/>, <c>Stichwort</c> by default) or of the XML incident attachment; none when the mail has no such line.</summary>
    Label = 1,

    /// <summary>
    /// The value of <see cref="EvaluationSettings.KeywordLabel"/> when the mail names one, else the XML incident attachment's
    /// keyword, else the subject without reply/forward prefixes. The default for new tenants.
    /// </summary>
    Auto = 2,
}
