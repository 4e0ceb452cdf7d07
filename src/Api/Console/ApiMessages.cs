using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;

namespace AlarmInbox.Api.Console;

/// <summary>
/// Puts the REST API's messages (English, written for API users: validation errors and problem details) into the
/// console's language. Each known message has a pattern here and a text <c>ApiMessage.&lt;key&gt;</c> in the resource
/// files, whose <c>{0}</c>, <c>{1}</c>, … are the values the pattern captures (what was entered, a limit). The field
/// name is not part of the translated text: the console puts the field's label in front (<see cref="ConsolePage"/>).
/// A message without a pattern is shown as <c>ApiMessage.Unknown</c> with the API's own words.
/// </summary>
public static class ApiMessages
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Singleline;
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>The patterns, most specific first: the first that matches the whole message wins.</summary>
    private static readonly Entry[] Catalogue =
    [
        new("Empty", new Regex(@"^[\w.\[\]]+ must not be empty\.$", Options, MatchTimeout)),
        new("MaxLength", new Regex(@"^[\w.\[\]]+ must be at most (\d+) characters\.$", Options, MatchTimeout)),
        new("MaxLengthNoControl", new Regex(@"^[\w.\[\]]+ must be at most (\d+) characters, without control characters\.$", Options, MatchTimeout)),
        new("Length1To", new Regex(@"^[\w.\[\]]+ must be 1 to (\d+) characters\.$", Options, MatchTimeout)),
        new("Length1ToNoControl", new Regex(@"^[\w.\[\]]+ must be 1 to (\d+) characters, without control characters(?: \(e\.g\. .*\))?\.$", Options, MatchTimeout)),
        new("LengthRange", new Regex(@"^[\w.\[\]]+ must be (\d+) to (\d+) characters\.$", Options, MatchTimeout)),
        new("Required", new Regex(@"^[\w.\[\]]+ is required\.$", Options, MatchTimeout)),
        new("RangeGot", new Regex(@"^[\w.\[\]]+ must be between (-?\d+) and (\d+); got (.*)\.$", Options, MatchTimeout)),
        new("Range", new Regex(@"^[\w.\[\]]+ must be between (-?\d+) and (\d+)\.$", Options, MatchTimeout)),
        new("MaxEntries", new Regex(@"^[\w.\[\]]+ may have at most (\d+) entries\.$", Options, MatchTimeout)),
        new("HostEmpty", new Regex(@"^host must not be empty: .*$", Options, MatchTimeout)),
        new("HostInvalid", new Regex(@"^host '(.*)' is not a valid host name or IP address .*$", Options, MatchTimeout)),
        new("PortRange", new Regex(@"^port must be between 1 and 65535 .*; got (.*)\.$", Options, MatchTimeout)),
        new("SecurityEnum", new Regex(@"^security must be one of SslOnConnect, StartTls, None\.$", Options, MatchTimeout)),
        new("SecurityGraph", new Regex(@"^security must be SslOnConnect for Graph mailboxes: .*$", Options, MatchTimeout)),
        new("AuthType", new Regex(@"^authType must be Password, Office365 or Graph\.$", Options, MatchTimeout)),
        new("Office365Unused", new Regex(@"^office365 is only used with authType Office365 or Graph; .*$", Options, MatchTimeout)),
        new("Office365Required", new Regex(@"^office365 is required when authType is (\w+): .*$", Options, MatchTimeout)),
        new("FolderEmpty", new Regex(@"^folder must not be empty .*$", Options, MatchTimeout)),
        new("PinShape", new Regex(@"^pinnedCertificateSha256 must be the SHA-256 fingerprint .*$", Options, MatchTimeout)),
        new("PinNoTls", new Regex(@"^pinnedCertificateSha256 needs security SslOnConnect or StartTls: .*$", Options, MatchTimeout)),
        new("PasswordUnused", new Regex(@"^password is not used by (\w+) mailboxes: .*$", Options, MatchTimeout)),
        new("UsernameGraph", new Regex(@"^username must be the mailbox's e-mail address .* or its Entra object id .*$", Options, MatchTimeout)),
        new("UsernameOffice365", new Regex(@"^username must be the mailbox's e-mail address \(e\.g\. [^)]*\) for Office365 mailboxes\.$", Options, MatchTimeout)),
        new("AuthorityHost", new Regex(@"^office365\.authorityHost must be a host name such as (\S+), .*$", Options, MatchTimeout)),
        new("TenantEmpty", new Regex(@"^(?:office365\.)?tenant must not be empty: .*$", Options, MatchTimeout)),
        new("TenantPlaceholder", new Regex(@"^(?:office365\.)?tenant '(.*)' still holds a placeholder .*$", Options, MatchTimeout)),
        new("TenantUrlHost", new Regex(@"^(?:office365\.)?tenant is a URL for '(.*)', but authorityHost is '(.*)': .*$", Options, MatchTimeout)),
        new("TenantNoTenant", new Regex(@"^(?:office365\.)?tenant '(.*)' names no tenant: .*$", Options, MatchTimeout)),
        new("TenantUrlPath", new Regex(@"^(?:office365\.)?tenant URL '(.*)' has an unexpected path '(.*)': .*$", Options, MatchTimeout)),
        new("TenantNotSingle", new Regex(@"^(?:office365\.)?tenant '(.*)' is not a single directory: .*$", Options, MatchTimeout)),
        new("TenantEmail", new Regex(@"^(?:office365\.)?tenant '(.*)' is an e-mail address: .*$", Options, MatchTimeout)),
        new("TenantNeither", new Regex(@"^(?:office365\.)?tenant '(.*)' is neither a tenant ID .*$", Options, MatchTimeout)),
        new("ClientIdEmail", new Regex(@"^office365\.clientId '(.*)' is an e-mail address: .*$", Options, MatchTimeout)),
        new("ClientIdNotGuid", new Regex(@"^office365\.clientId '(.*)' is not a GUID: .*$", Options, MatchTimeout)),
        new("ClientIdIsTenant", new Regex(@"^office365\.clientId equals the tenant ID: .*$", Options, MatchTimeout)),
        new("OneCredential", new Regex(@"^Give exactly one credential: .*$", Options, MatchTimeout)),
        new("SecretRequired", new Regex(@"^office365\.clientSecret is required .*$", Options, MatchTimeout)),
        new("SecretIsId", new Regex(@"^office365\.clientSecret is a GUID, which is the secret's ID: .*$", Options, MatchTimeout)),
        new("CertPassword", new Regex(@"^office365\.certificatePassword is only used with office365\.certificatePfxBase64\.$", Options, MatchTimeout)),
        new("CertBase64", new Regex(@"^office365\.certificatePfxBase64 is not base64: .*$", Options, MatchTimeout)),
        new("ScopeGraphForImap", new Regex(@"^office365\.scope '(.*)' is for Microsoft Graph, .*: use (\S+)\.$", Options, MatchTimeout)),
        new("ScopeImapForGraph", new Regex(@"^office365\.scope '(.*)' is Exchange Online's IMAP resource, .*: use (\S+) for authType Graph\.$", Options, MatchTimeout)),
        new("ScopeNotAppOnly", new Regex(@"^office365\.scope '(.*)' is not an app-only scope: use (\S+) .*$", Options, MatchTimeout)),
        new("BackfillCreate", new Regex(@"^backfill can only be given when creating a mailbox\.$", Options, MatchTimeout)),
        new("Url", new Regex(@"^url must be an absolute https:// or http:// URL .*, at most (\d+) characters .*$", Options, MatchTimeout)),
        new("TenantIdShape", new Regex(@"^id must be 2 to 64 characters: lower-case letters .*$", Options, MatchTimeout)),
        new("Role", new Regex(@"^role must be Operator or TenantAdmin\.$", Options, MatchTimeout)),
        new("KeyTenantMissing", new Regex(@"^tenantId must name an existing tenant for a TenantAdmin key\.$", Options, MatchTimeout)),
        new("KeyTenantOperator", new Regex(@"^tenantId must be omitted for an Operator key .*$", Options, MatchTimeout)),
        new("Since", new Regex(@"^since must be an ISO 8601 date-time, .*; got '(.*)'\.$", Options, MatchTimeout)),
        new("StatusEnum", new Regex(@"^status must be one of New, Updated, Test, Rejected; got '(.*)'\.$", Options, MatchTimeout)),
        new("LimitGot", new Regex(@"^limit must be a whole number between 1 and (\d+); got '(.*)'\.$", Options, MatchTimeout)),
        new("Limit", new Regex(@"^limit must be a whole number from 1 to (\d+)\.$", Options, MatchTimeout)),
        new("Sender", new Regex(@"^'(.*)' is neither an e-mail address \(.*\) nor a domain .*$", Options, MatchTimeout)),
        new("KeywordSource", new Regex(@"^keywordSource must be Subject or Label\.$", Options, MatchTimeout)),
        new("Label", new Regex(@"^[\w.\[\]]+ must be 1 to (\d+) characters: letters, digits, spaces and .*, without a colon .*$", Options, MatchTimeout)),
        new("RuleNamesUnique", new Regex(@"^rule names must be unique\.$", Options, MatchTimeout)),
        new("RuleObject", new Regex(@"^a rule must be an object with name and pattern\.$", Options, MatchTimeout)),
        new("RuleSource", new Regex(@"^source must be Text or Subject\.$", Options, MatchTimeout)),
        new("PatternGroup", new Regex(@"^pattern needs at least one named group, .*$", Options, MatchTimeout)),
        new("PatternInvalid", new Regex(@"^pattern is not a valid regular expression: (.*)$", Options, MatchTimeout)),
        new("InboundMax", new Regex(@"^A tenant may have at most (\d+) inbound addresses \(revoked ones count\)\.$", Options, MatchTimeout)),
        new("InboundRevoked", new Regex(@"^The inbound address '(.*)' is revoked and cannot be rotated; create a new one\.$", Options, MatchTimeout)),
        new("WebhooksMax", new Regex(@"^A tenant may have at most (\d+) webhooks\.$", Options, MatchTimeout)),
        new("TenantExists", new Regex(@"^A tenant with id '(.*)' already exists\.$", Options, MatchTimeout)),
        new("TenantHasMailboxes", new Regex(@"^Tenant '(.*)' still has mailboxes\. .*$", Options, MatchTimeout)),
        new("TooManyRequests", new Regex(@"^This API key sent more requests than allowed; try again in (\d+) s\.$", Options, MatchTimeout)),
        new("BodyTooLarge", new Regex(@"^The body may have at most (\d+) bytes\.$", Options, MatchTimeout)),
        new("MailTooLarge", new Regex(@"^The rule tester takes at most (\d+) bytes\.$", Options, MatchTimeout)),
        new("BodyEmpty", new Regex(@"^The body is empty: send the mail to evaluate\.$", Options, MatchTimeout)),
        new("ContentType", new Regex(@"^Send a raw mail as 'Content-Type: message/rfc822' .*$", Options, MatchTimeout)),
        new("Charset", new Regex(@"^The charset '(.*)' is not known; use utf-8\.$", Options, MatchTimeout)),
    ];

    /// <summary>The resource keys of every known message (for tests that check both languages have them).</summary>
    public static IEnumerable<string> Keys => Catalogue.Select(e => "ApiMessage." + e.Key);

    /// <summary>The resource key that <paramref name="message"/> translates to, or null when no pattern matches it.</summary>
    public static string? KeyOf(string message) => Match(message)?.Entry.Key is { } key ? "ApiMessage." + key : null;

    /// <summary><paramref name="message"/> in the current UI culture.</summary>
    public static string Translate(string message, IStringLocalizer text)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(text);
        if (Match(message) is not { } found)
        {
            return string.Format(CultureInfo.CurrentCulture, text["ApiMessage.Unknown"], message);
        }

        var values = found.Match.Groups.Cast<Group>().Skip(1).Select(g => (object)g.Value).ToArray();
        return string.Format(CultureInfo.CurrentCulture, text["ApiMessage." + found.Entry.Key], values);
    }

    private static (Entry Entry, Match Match)? Match(string message)
    {
        foreach (var entry in Catalogue)
        {
            try
            {
                var match = entry.Pattern.Match(message);
                if (match.Success)
                {
                    return (entry, match);
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological message: try the next pattern, or show it as it is.
            }
        }

        return null;
    }

    private sealed record Entry(string Key, Regex Pattern);
}
