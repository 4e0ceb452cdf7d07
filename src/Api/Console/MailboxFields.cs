namespace AlarmInbox.Api.Console;

/// <summary>Maps the API's mailbox field names (<c>office365.clientId</c>) to the console form's (<c>O365ClientId</c>).</summary>
public static class MailboxFields
{
    /// <summary>The form property of an API field name.</summary>
    public static string Map(string apiField)
    {
        var parts = apiField.Split('.');
        if (parts.Length == 2 && parts[0].Equals("office365", StringComparison.OrdinalIgnoreCase))
        {
            if (parts[1].Equals("clientSecretExpiresAt", StringComparison.OrdinalIgnoreCase))
            {
                return "O365ClientSecretExpiresOn";
            }

            return "O365" + Capitalize(parts[1]);
        }

        return Capitalize(apiField);
    }

    private static string Capitalize(string value) => value.Length == 0 ? value : char.ToUpperInvariant(value[0]) + value[1..];
}
