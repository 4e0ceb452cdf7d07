using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Tests.Office365;

/// <summary>What admins paste as tenant, client id and secret, and what AlarmInbox makes of it.</summary>
public sealed class Office365TenantTests
{
    private const string TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    [Theory]
    [InlineData("72f988bf-86f1-41af-91ab-2d7cd011db47", TenantId)]
    [InlineData("72F988BF-86F1-41AF-91AB-2D7CD011DB47", TenantId)]
    [InlineData("  72f988bf-86f1-41af-91ab-2d7cd011db47 ", TenantId)]
    [InlineData("72f988bf-86f1-41af-91ab-2d7cd011db47/", TenantId)]
    [InlineData("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47", TenantId)]
    [InlineData("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/", TenantId)]
    [InlineData("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", TenantId)]
    [InlineData("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/", TenantId)]
    [InlineData("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token", TenantId)]
    [InlineData("https://LOGIN.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/token", TenantId)]
    [InlineData("login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47", TenantId)]
    [InlineData("contoso.onmicrosoft.com", "contoso.onmicrosoft.com")]
    [InlineData("Contoso.OnMicrosoft.com/", "contoso.onmicrosoft.com")]
    [InlineData("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0", "contoso.onmicrosoft.com")]
    [InlineData("ff-musterdorf.de", "ff-musterdorf.de")]
    public void AcceptedTenantFormsNormaliseToOneValue(string input, string expected)
    {
        Assert.True(Office365Tenant.TryNormalize(input, Office365Settings.DefaultAuthorityHost, out var tenant, out var error), error);
        Assert.Equal(expected, tenant);
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("<tenant-id>", "placeholder")]
    [InlineData("https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token", "placeholder")]
    [InlineData("{tenant}", "placeholder")]
    [InlineData("YOUR_TENANT_ID", "placeholder")]
    [InlineData("00000000-0000-0000-0000-000000000000", "placeholder")]
    [InlineData("common", "not a single directory")]
    [InlineData("https://login.microsoftonline.com/organizations/v2.0", "not a single directory")]
    [InlineData("consumers", "not a single directory")]
    [InlineData("admin@contoso.onmicrosoft.com", "e-mail address")]
    [InlineData("Contoso", "neither a tenant ID")]
    [InlineData("https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47", "authorityHost")]
    [InlineData("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/saml2", "unexpected path")]
    [InlineData("https://login.microsoftonline.com/", "names no tenant")]
    public void RefusedTenantFormsSayWhatToPasteInstead(string input, string expectedHint)
    {
        Assert.False(Office365Tenant.TryNormalize(input, Office365Settings.DefaultAuthorityHost, out var tenant, out var error));
        Assert.Equal("", tenant);
        Assert.Contains(expectedHint, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NationalCloudUrlIsAcceptedWithItsAuthorityHost()
    {
        Assert.True(Office365Tenant.TryNormalize("https://login.microsoftonline.us/" + TenantId + "/v2.0", "login.microsoftonline.us", out var tenant, out _));
        Assert.Equal(TenantId, tenant);
    }

    [Theory]
    [InlineData("alarm-app@contoso.onmicrosoft.com", "office365.clientId", "e-mail address")]
    [InlineData("AlarmInbox", "office365.clientId", "not a GUID")]
    [InlineData(TenantId, "office365.clientId", "equals the tenant ID")]
    public void ClientIdMustBeTheApplicationId(string clientId, string field, string expectedHint)
    {
        var errors = MailboxSettingsValidator.Validate(Settings(clientId: clientId), requirePassword: true);

        Assert.Contains(expectedHint, Assert.Single(errors[field]));
    }

    [Fact]
    public void SecretIdPastedInsteadOfTheValueIsRefusedWithAHint()
    {
        var errors = MailboxSettingsValidator.Validate(Settings(secret: "3f2b6c1e-8d4a-4e57-9a0b-5c6d7e8f9a0b"), requirePassword: true);

        Assert.Contains("secret's ID", Assert.Single(errors["office365.clientSecret"]));
    }

    [Theory]
    [InlineData("https://graph.microsoft.com/.default", "Microsoft Graph")]
    [InlineData("https://outlook.office365.com/IMAP.AccessAsApp", "not an app-only scope")]
    [InlineData("IMAP.AccessAsUser.All", "not an app-only scope")]
    public void ScopeMustBeExchangeDefault(string scope, string expectedHint)
    {
        var errors = MailboxSettingsValidator.Validate(Settings() with { Office365 = Settings().Office365! with { Scope = scope } }, requirePassword: true);

        Assert.Contains(expectedHint, Assert.Single(errors["office365.scope"]));
    }

    [Fact]
    public void ValidOffice365SettingsPassAndNormalise()
    {
        var settings = MailboxSettingsValidator.Normalize(Settings(tenant: "https://login.microsoftonline.com/" + TenantId.ToUpperInvariant() + "/v2.0"));

        Assert.Empty(MailboxSettingsValidator.Validate(settings, requirePassword: true));
        Assert.Equal(TenantId, settings.Office365!.Tenant);
        Assert.Equal("https://login.microsoftonline.com/" + TenantId, settings.Office365.Authority);
    }

    [Fact]
    public void SettingsToStringShowsNoSecret()
    {
        var text = Settings(secret: "Very~Secret.Value_123").ToString();

        Assert.DoesNotContain("Very~Secret", text);
        Assert.Contains("HasCredential = True", text);
    }

    private static MailboxSettings Settings(string tenant = TenantId, string clientId = "0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b", string secret = "abc8Q~verysecretvalue") => new()
    {
        DisplayName = "Alarm",
        Host = "outlook.office365.com",
        Port = 993,
        Username = "alarm@contoso.onmicrosoft.com",
        AuthType = MailboxAuthType.Office365,
        Office365 = new Office365Settings { Tenant = tenant, ClientId = clientId, ClientSecret = secret },
    };
}
