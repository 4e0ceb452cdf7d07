namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>Limits of the evaluation settings (the alarms grain enforces them), of alarm pages and of the rule tester's body (the API reads the body only up to it).</summary>
public static class AlarmLimits
{
    /// <summary>Most allowed-sender entries.</summary>
    public const int MaxAllowedSenders = 50;

    /// <summary>Most custom labels.</summary>
    public const int MaxLabels = 30;

    /// <summary>Longest label, in characters.</summary>
    public const int MaxLabelLength = 50;

    /// <summary>Most custom rules.</summary>
    public const int MaxRules = 20;

    /// <summary>Longest rule pattern, in characters.</summary>
    public const int MaxPatternLength = 1_000;

    /// <summary>Longest rule name, in characters.</summary>
    public const int MaxRuleNameLength = 64;

    /// <summary>Largest incident merge window and late threshold, in minutes (one day).</summary>
    public const int MaxMinutes = 1_440;

    /// <summary>Largest body the rule tester accepts, in bytes (1 MiB).</summary>
    public const int MaxTestMessageBytes = 1_048_576;

    /// <summary>Largest page of alarms the API returns.</summary>
    public const int MaxAlarmsPage = 500;

    /// <summary>Most receipts kept per alarm (<see cref="AlarmRecord.Receipts"/>); later repeats are still recognised, not recorded.</summary>
    public const int MaxReceipts = 100;
}
