namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>What a custom regular expression rule is matched against.</summary>
[GenerateSerializer]
[Alias("alarminbox.AlarmRuleSource")]
public enum AlarmRuleSource
{
    /// <summary>The alarm text (the decoded body; HTML-only mails as their text rendering).</summary>
    Text = 0,

    /// <summary>The decoded subject.</summary>
    Subject = 1,
}
