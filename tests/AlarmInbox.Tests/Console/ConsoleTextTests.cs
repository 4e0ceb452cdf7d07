using System.Globalization;
using System.Resources;
using AlarmInbox.Api.Console;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Grains.Interfaces.Tenants;
using AlarmInbox.Grains.Interfaces.Webhooks;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Tests.Console;

/// <summary>The console's texts: every API message it can show and every error hint exist in German and English.</summary>
public sealed class ConsoleTextTests
{
    private static readonly ResourceManager Resources = new("AlarmInbox.Api.Console.ConsoleText", typeof(ConsoleText).Assembly);

    [Fact]
    public void EveryValidationMessageOfTheApiIsTranslated()
    {
        var messages = ValidationMessages().ToList();
        var untranslated = messages.Where(m => ApiMessages.KeyOf(m) is null).ToList();

        Assert.True(messages.Count >= 60, $"only {messages.Count} messages produced");
        Assert.True(untranslated.Count == 0, "no German text for: " + string.Join(Environment.NewLine, untranslated));
    }

    [Fact]
    public void EveryApiMessageKeyAndEveryErrorHintHasAGermanAndAnEnglishText()
    {
        var keys = ApiMessages.Keys.Append("ApiMessage.Unknown").Concat(MailboxErrorCodes.All.Select(code => "Hint." + code)).ToList();
        var missing = new List<string>();
        foreach (var key in keys)
        {
            var german = Resources.GetString(key, CultureInfo.GetCultureInfo("de"));
            var english = Resources.GetString(key, CultureInfo.GetCultureInfo("en"));
            if (string.IsNullOrWhiteSpace(german) || string.IsNullOrWhiteSpace(english) || german == english && key.StartsWith("Hint.", StringComparison.Ordinal))
            {
                missing.Add(key);
            }
        }

        Assert.True(missing.Count == 0, "missing or untranslated: " + string.Join(", ", missing));
    }

    [Fact]
    public void ApiMessagesAreShownInGermanWithWhatWasEnteredAndInEnglishOnRequest()
    {
        var text = Localizer();
        var message = MailboxSettingsValidator.Validate(Valid() with { Host = "imaps://mail.example.org" }, requirePassword: true)["host"].Single();

        var german = Translate(message, text, "de");
        var english = Translate(message, text, "en");
        var unknown = Translate("something the console has never seen", text, "de");

        Assert.Equal("„imaps://mail.example.org“ ist kein Servername und keine IP-Adresse (nur der Name: ohne imaps://, Port oder Pfad, z. B. imap.example.org).", german);
        Assert.Equal("“imaps://mail.example.org” is neither a host name nor an IP address (the name only: no imaps://, port or path, e.g. imap.example.org).", english);
        Assert.Equal("Der Wert wurde nicht angenommen. Meldung der API: something the console has never seen", unknown);
    }

    private static string Translate(string message, IStringLocalizer text, string culture)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            return ApiMessages.Translate(message, text);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    private static IStringLocalizer Localizer() =>
        new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance).Create(typeof(ConsoleText));

    private static MailboxSettings Valid() => new()
    {
        DisplayName = "Alarm", Host = "imap.example.org", Port = 993, Username = "alarm@ff.example", Password = "geheim", Folder = "INBOX",
    };

    private static MailboxSettings O365(Office365Settings o365, MailboxAuthType type = MailboxAuthType.Office365) => Valid() with
    {
        AuthType = type, Password = null, Host = "outlook.office365.com", Office365 = o365,
    };

    private static Office365Settings App() => new()
    {
        Tenant = "ff-musterdorf.de", ClientId = "3f2504e0-4f89-11d3-9a0c-0305e82c3301", ClientSecret = "abc~defghijklmnopqrstuvwxyz0123456789ABCD",
    };

    /// <summary>Every message the validators give for a wide set of bad inputs (each input breaks one rule).</summary>
    private static IEnumerable<string> ValidationMessages()
    {
        var mailboxes = new (MailboxSettings Settings, bool RequirePassword)[]
        {
            (Valid() with { DisplayName = "" }, true),
            (Valid() with { DisplayName = new string('x', 500) }, true),
            (Valid() with { Host = "" }, true),
            (Valid() with { Host = "imap.example.org:993" }, true),
            (Valid() with { Port = 0 }, true),
            (Valid() with { Security = (MailboxSecurity)42 }, true),
            (Valid() with { Username = "" }, true),
            (Valid() with { Username = new string('u', 2000) }, true),
            (Valid() with { AuthType = (MailboxAuthType)42 }, true),
            (Valid() with { Office365 = App() }, true),
            (Valid() with { Password = null }, true),
            (Valid() with { Password = "" }, true),
            (Valid() with { Folder = "" }, true),
            (Valid() with { Folder = new string('f', 2000) }, true),
            (Valid() with { PollIntervalSeconds = 1 }, true),
            (Valid() with { PinnedCertificateSha256 = "xyz" }, true),
            (Valid() with { Security = MailboxSecurity.None, PinnedCertificateSha256 = new string('A', 64) }, true),
            (O365(App()) with { Password = "geheim" }, true),
            (O365(App(), MailboxAuthType.Graph) with { Username = "alarm" }, true),
            (O365(App()) with { Username = "alarm" }, true),
            (O365(App(), MailboxAuthType.Graph) with { Security = MailboxSecurity.StartTls }, true),
            (O365(App()) with { Office365 = null }, true),
            (O365(App() with { AuthorityHost = "https://login.example.org/x" }), true),
            (O365(App() with { Tenant = "" }), true),
            (O365(App() with { Tenant = "<tenant-id>" }), true),
            (O365(App() with { Tenant = "https://login.example.org/ff.de" }), true),
            (O365(App() with { Tenant = "https://login.microsoftonline.com/" }), true),
            (O365(App() with { Tenant = "https://login.microsoftonline.com/ff.de/odd/path" }), true),
            (O365(App() with { Tenant = "common" }), true),
            (O365(App() with { Tenant = "admin@ff.de" }), true),
            (O365(App() with { Tenant = "not a tenant" }), true),
            (O365(App() with { ClientId = "app@ff.de" }), true),
            (O365(App() with { ClientId = "AlarmInbox" }), true),
            (O365(App() with { Tenant = "3f2504e0-4f89-11d3-9a0c-0305e82c3301" }), true),
            (O365(App() with { CertificatePem = "x" }), true),
            (O365(App() with { ClientSecret = null }), true),
            (O365(App() with { ClientSecret = " " }), true),
            (O365(App() with { ClientSecret = "9c1d6a2e-0b7f-4e55-8a7e-51a0c0b7e2d4" }), true),
            (O365(App() with { CertificatePassword = "x" }), true),
            (O365(App() with { ClientSecret = null, CertificatePfxBase64 = "not base64!" }), true),
            (O365(App() with { Scope = "https://graph.microsoft.com/.default" }), true),
            (O365(App() with { Scope = "IMAP.AccessAsApp" }), true),
            (O365(App() with { Scope = "https://outlook.office365.com/.default" }, MailboxAuthType.Graph), true),
            (O365(App() with { Scope = "Mail.Read" }, MailboxAuthType.Graph), true),
        };
        foreach (var (settings, requirePassword) in mailboxes)
        {
            foreach (var message in MailboxSettingsValidator.Validate(settings, requirePassword).Values.SelectMany(m => m))
            {
                yield return message;
            }
        }

        var rule = new AlarmRule("r", "(?<Einsatznummer>\\d+)");
        var evaluations = new[]
        {
            new EvaluationSettings { AllowedSenders = Enumerable.Repeat("a@b.example", 1000).ToList() },
            new EvaluationSettings { AllowedSenders = ["not an address"] },
            new EvaluationSettings { KeywordSource = (KeywordSource)42 },
            new EvaluationSettings { KeywordLabel = "Stich:wort" },
            new EvaluationSettings { Labels = Enumerable.Repeat("Ort", 1000).ToList() },
            new EvaluationSettings { Labels = ["Ort:"] },
            new EvaluationSettings { Rules = Enumerable.Range(0, 1000).Select(i => rule with { Name = "r" + i }).ToList() },
            new EvaluationSettings { Rules = [rule, rule] },
            new EvaluationSettings { Rules = [null!] },
            new EvaluationSettings { Rules = [rule with { Name = "" }] },
            new EvaluationSettings { Rules = [rule with { Source = (AlarmRuleSource)42 }] },
            new EvaluationSettings { Rules = [rule with { Pattern = "" }] },
            new EvaluationSettings { Rules = [rule with { Pattern = "\\d+" }] },
            new EvaluationSettings { Rules = [rule with { Pattern = "(?<x" }] },
            new EvaluationSettings { IncidentMergeWindowMinutes = -1 },
            new EvaluationSettings { LateAfterMinutes = -1 },
        };
        foreach (var settings in evaluations)
        {
            foreach (var message in EvaluationSettingsValidator.Validate(settings).Values.SelectMany(m => m))
            {
                yield return message;
            }
        }

        var webhooks = new (WebhookSettings Settings, bool RequireSecret)[]
        {
            (new WebhookSettings { Name = "", Url = "https://a.example/h", Secret = "0123456789abcdef0123" }, true),
            (new WebhookSettings { Name = "App", Url = "ftp://a.example/h", Secret = "0123456789abcdef0123" }, true),
            (new WebhookSettings { Name = "App", Url = "https://a.example/h" }, true),
            (new WebhookSettings { Name = "App", Url = "https://a.example/h", Secret = "x" }, true),
        };
        foreach (var (settings, requireSecret) in webhooks)
        {
            foreach (var message in WebhookSettingsValidator.Validate(settings, requireSecret).Values.SelectMany(m => m))
            {
                yield return message;
            }
        }

        foreach (var (id, name) in new[] { ("X", "Feuerwehr"), ("ff-a", ""), ("ff-a", new string('n', 1000)) })
        {
            foreach (var message in TenantValidator.Validate(id, name).Values.SelectMany(m => m))
            {
                yield return message;
            }
        }
    }
}
