namespace AlarmInbox.Api.Console;

/// <summary>The console's texts: <c>ConsoleText.resx</c> (German, the default) and <c>ConsoleText.en.resx</c> (English).</summary>
public sealed class ConsoleText;
