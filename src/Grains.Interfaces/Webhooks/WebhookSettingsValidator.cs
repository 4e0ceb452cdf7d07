namespace AlarmInbox.Grains.Interfaces.Webhooks;

/// <summary>Checks <see cref="WebhookSettings"/>; called once per command, by the tenant's webhook outbox grain (<see cref="IWebhookOutboxGrain"/>).</summary>
public static class WebhookSettingsValidator
{
    /// <summary>Shortest secret, in characters.</summary>
    public const int MinSecretLength = 16;

    /// <summary>Longest secret, in characters.</summary>
    public const int MaxSecretLength = 256;

    /// <summary>Longest URL, in characters.</summary>
    public const int MaxUrlLength = 2_000;

    /// <summary>Most webhooks per tenant.</summary>
    public const int MaxWebhooks = 10;

    /// <summary>Validates settings; field names are the API's JSON names.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="requireSecret"><see langword="true"/> when creating a webhook.</param>
    /// <returns>An empty dictionary when valid, otherwise field name → messages.</returns>
    public static Dictionary<string, string[]> Validate(WebhookSettings settings, bool requireSecret)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(settings.Name) || settings.Name.Length > 200 || settings.Name.Any(char.IsControl))
        {
            errors["name"] = ["name must be 1 to 200 characters, without control characters."];
        }

        if (string.IsNullOrWhiteSpace(settings.Url)
            || settings.Url.Length > MaxUrlLength
            || !Uri.TryCreate(settings.Url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(uri.UserInfo)
            || !string.IsNullOrEmpty(uri.Fragment))
        {
            errors["url"] = [$"url must be an absolute https:// or http:// URL without user info or fragment, at most {MaxUrlLength} characters (e.g. https://alarm.example.org/hooks/alarminbox)."];
        }

        if (settings.Secret is null)
        {
            if (requireSecret)
            {
                errors["secret"] = ["secret is required."];
            }
        }
        else if (settings.Secret.Length is < MinSecretLength or > MaxSecretLength)
        {
            errors["secret"] = [$"secret must be {MinSecretLength} to {MaxSecretLength} characters."];
        }

        return errors;
    }
}
