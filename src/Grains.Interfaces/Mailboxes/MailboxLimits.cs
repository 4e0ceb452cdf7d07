namespace AlarmInbox.Grains.Interfaces.Mailboxes;

/// <summary>Limits and defaults of mailboxes (the mailbox grain enforces them; the API checks only the page size of a read).</summary>
public static class MailboxLimits
{
    /// <summary>Smallest accepted poll interval, in seconds.</summary>
    public const int MinPollIntervalSeconds = 10;

    /// <summary>Largest accepted poll interval, in seconds (one day).</summary>
    public const int MaxPollIntervalSeconds = 86_400;

    /// <summary>Poll interval used when none is given, in seconds.</summary>
    public const int DefaultPollIntervalSeconds = 60;

    /// <summary>Largest backfill an admin may ask for when creating a mailbox, in messages.</summary>
    public const int MaxBackfill = 1_000;

    /// <summary>How many of the newest messages a mailbox keeps for the API.</summary>
    public const int StoredMessages = 1_000;

    /// <summary>Largest page of messages the API returns.</summary>
    public const int MaxMessagesPage = 500;

    /// <summary>Longest display name, in characters.</summary>
    public const int MaxDisplayNameLength = 200;

    /// <summary>Longest host name, in characters (RFC 1035 limits a name to 253).</summary>
    public const int MaxHostLength = 253;

    /// <summary>Longest user name, in characters.</summary>
    public const int MaxUsernameLength = 320;

    /// <summary>Longest password, in characters.</summary>
    public const int MaxPasswordLength = 1_024;

    /// <summary>Longest folder name, in characters.</summary>
    public const int MaxFolderLength = 500;
}
