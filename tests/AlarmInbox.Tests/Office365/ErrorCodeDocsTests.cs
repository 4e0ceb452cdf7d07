using AlarmInbox.Grains.Interfaces.Mailboxes;
using AlarmInbox.Tests.Infrastructure;

namespace AlarmInbox.Tests.Office365;

/// <summary>Every error code has a hint and is documented.</summary>
public sealed class ErrorCodeDocsTests
{
    [Fact]
    public void EveryCodeHasAHintAndARowInErrorsMd()
    {
        var docs = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "errors.md"));
        var codes = typeof(MailboxErrorCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Equal(codes.Order(StringComparer.Ordinal), MailboxErrorCodes.All.Order(StringComparer.Ordinal));
        Assert.All(codes, code => Assert.False(string.IsNullOrWhiteSpace(MailboxErrorHints.For(code)), code));
        Assert.All(codes, code => Assert.Contains($"| `{code}` |", docs));
    }
}
