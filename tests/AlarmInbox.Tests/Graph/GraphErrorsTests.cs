using System.Net;
using AlarmInbox.Grains.Graph;
using AlarmInbox.Grains.Interfaces.Mailboxes;

namespace AlarmInbox.Tests.Graph;

/// <summary>How Graph's answers are read: status plus error code, Retry-After, expired sync state, bodies that are not JSON.</summary>
public sealed class GraphErrorsTests
{
    private static readonly GraphMailboxTarget Target = new(
        new Uri("https://graph.microsoft.com:443/v1.0/"), "alarm@ff-musterdorf.de", "Inbox",
        new Office365Settings { Tenant = "contoso.onmicrosoft.com", ClientId = "11111111-2222-3333-4444-555555555555", ClientSecret = "s3cr~et", Scope = Office365Settings.GraphScope },
        PinnedCertificateSha256: null);

    [Theory]
    [InlineData(503, 30, MailboxErrorCodes.GraphThrottled)]
    [InlineData(503, null, MailboxErrorCodes.GraphServiceUnavailable)]
    [InlineData(502, null, MailboxErrorCodes.GraphServiceUnavailable)]
    [InlineData(429, null, MailboxErrorCodes.GraphThrottled)]
    [InlineData(400, null, MailboxErrorCodes.GraphRequestFailed)]
    public void StatusAndRetryAfterDecideBetweenThrottledUnavailableAndFailed(int status, int? retryAfterSeconds, string code)
    {
        var retryAfter = retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;

        var error = GraphErrors.Classify((HttpStatusCode)status, new GraphErrors.GraphError("SomeCode", "Some text."), retryAfter, Target, GraphErrors.Step.Delta);

        Assert.Equal(code, error.Code);
        Assert.Equal(code == MailboxErrorCodes.GraphRequestFailed ? null : retryAfter, error.RetryAfter);
        Assert.Contains("SomeCode: Some text.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr~et", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorBodiesAreReadAndAnythingElseIsKeptShort()
    {
        var graph = GraphErrors.ReadError("""{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again.","innerError":{"date":"2026-12-06T22:00:00"}}}""");
        var html = GraphErrors.ReadError("<html><body>" + new string('x', 1000) + "</body></html>");

        Assert.Equal(("ErrorAccessDenied", "Access is denied. Check credentials and try again."), (graph.Code, graph.Message));
        Assert.Equal("", html.Code);
        Assert.Equal(301, html.Message.Length);
    }

    [Theory]
    [InlineData("syncStateNotFound", true)]
    [InlineData("SyncStateNotFound", true)]
    [InlineData("resyncRequired", true)]
    [InlineData("ErrorAccessDenied", false)]
    public void ExpiredSyncStateIsRecognisedByItsCode(string code, bool expired) =>
        Assert.Equal(expired, GraphErrors.IsSyncStateExpired(code));
}
