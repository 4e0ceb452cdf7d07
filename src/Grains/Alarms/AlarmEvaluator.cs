using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using AlarmInbox.Grains.Interfaces.Alarms;
using AlarmInbox.Grains.Interfaces.Mailboxes;
using Microsoft.Extensions.Options;

namespace AlarmInbox.Grains.Alarms;

/// <summary>
/// Evaluates one decoded mail with a set of <see cref="EvaluationSettings"/>: sender filter (also by the original sender of
/// a forwarded mail), labelled fields, the XML incident attachment, custom regular expressions (each with a timeout),
/// keyword, incident number, position and the late flag. Pure: no I/O, no state; thread-safe.
/// </summary>
/// <remarks>Field precedence, later wins: labels in the text, then the XML attachment, then custom rules.</remarks>
public sealed class AlarmEvaluator(LabelExtractor labels, IOptions<AlarmOptions> options)
{
    private const int MaxCachedRules = 512;
    private readonly ConcurrentDictionary<string, Regex> _rules = new(StringComparer.Ordinal);
    private readonly TimeSpan _timeout = options.Value.RegexTimeout;
    private readonly TimeSpan _budget = options.Value.RegexBudgetPerMail;

    /// <summary>Evaluates <paramref name="message"/>.</summary>
    /// <param name="message">The decoded mail.</param>
    /// <param name="settings">The effective settings of its mailbox.</param>
    /// <param name="now">The evaluation time (for the late flag).</param>
    /// <returns>The evaluation; never throws for mail content (timeouts and bad XML are reported in <see cref="AlarmEvaluation.RuleErrors"/>).</returns>
    public AlarmEvaluation Evaluate(MailMessage message, EvaluationSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(settings);
        var started = Stopwatch.GetTimestamp();
        var clock = new RegexBudget(_timeout, _budget);
        var errors = new List<RuleError>();
        var matchedRules = new List<string>();
        var labelSet = AlarmLabels.Read.Concat(settings.Labels).Append(settings.KeywordLabel)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        // The mail itself, or — when its own text has no alarm content and it carries an attached mail (forwarded as an
        // attachment) — the first attached level that has, else the deepest one.
        var view = MailView.Of(message);
        var found = Extract(view, labelSet, clock, errors);
        var level = 0;
        for (var attached = message.AttachedMessage; attached is not null && !found.HasAlarmContent(settings); attached = attached.AttachedMessage)
        {
            var attachedErrors = new List<RuleError>();
            var attachedView = MailView.Of(attached);
            var attachedFound = Extract(attachedView, labelSet, clock, attachedErrors);
            level++;
            (view, found) = (attachedView, attachedFound);
            errors = attachedErrors;
        }

        var fields = found.Fields;
        var sources = found.Sources;
        var position = found.Position;
        var xmlKeywordSource = found.XmlKeywordSource;

        // The original sender of an inline forward, before the custom rules: their budget must not cost a forward its sender.
        string? originalFrom = null;
        if (level > 0)
        {
            // Forwarded as an attachment: the attached original's sender is the original sender.
            originalFrom = view.From?.Trim().ToLowerInvariant();
        }
        else if (settings.MatchForwardedSender)
        {
            try
            {
                originalFrom = RegexBudget.RunAlone(_timeout, timeout => SenderFilter.FindOriginalSender(message, timeout));
            }
            catch (RegexMatchTimeoutException)
            {
                errors.Add(new RuleError("sender", "timeout", "Looking for a forwarded sender timed out; only the From address was checked."));
            }
        }

        // 3. Custom rules.
        foreach (var rule in settings.Rules)
        {
            var input = rule.Source == AlarmRuleSource.Subject ? view.Subject : view.Text;
            var run = clock.Run(timeout => (timeout == _timeout ? Rule(rule.Pattern) : new Regex(rule.Pattern, RegexOptions.CultureInvariant, timeout)).Match(input));
            if (run.Outcome == RegexRunOutcome.OverBudget)
            {
                errors.Add(OverBudget(rule.Name, clock));
                continue;
            }

            if (run.Outcome == RegexRunOutcome.TimedOut)
            {
                errors.Add(new RuleError(rule.Name, "timeout", $"The pattern did not finish within {Ms(run.Timeout)} ms on this mail; the rule was skipped."));
                continue;
            }

            var match = run.Value!;
            if (!match.Success)
            {
                continue;
            }

            matchedRules.Add(rule.Name);
            foreach (var group in match.Groups.Cast<Group>().Where(g => g.Success && !int.TryParse(g.Name, out _)))
            {
                var value = group.Value.Trim();
                if (value.Length > 0)
                {
                    fields[group.Name] = value;
                    sources[group.Name] = "rule:" + rule.Name;
                }
            }
        }

        // Keyword, incident number, position.
        string? keyword = null;
        if (settings.KeywordSource != KeywordSource.Subject)
        {
            var label = fields.Keys.FirstOrDefault(k => string.Equals(k, settings.KeywordLabel, StringComparison.OrdinalIgnoreCase));
            keyword = label is null ? null : fields[label];
            if (keyword is not null)
            {
                sources["keyword"] = sources[label!] == "label" ? "label:" + label : sources[label!];
            }
            else if (xmlKeywordSource is not null)
            {
                keyword = fields[AlarmLabels.Stichwort];
                sources["keyword"] = xmlKeywordSource;
            }
        }

        if (keyword is null && settings.KeywordSource != KeywordSource.Label)
        {
            // Subject, or Auto without a labelled or XML keyword: the subject without reply/forward prefixes.
            keyword = NullIfEmpty(SenderFilter.StripPrefixes(view.Subject));
            if (keyword is not null)
            {
                sources["keyword"] = "subject";
            }
        }

        var incidentNumber = fields.GetValueOrDefault(AlarmLabels.Einsatznummer);
        if (fields.TryGetValue(AlarmLabels.Koordinaten, out var coordinates) && !sources[AlarmLabels.Koordinaten].StartsWith("xml:", StringComparison.Ordinal))
        {
            // A label or rule value is more specific than (and overrides) the attachment's position.
            position = PositionParser.Parse(coordinates) ?? position;
        }

        // Sender filter, then content.
        string? matchedSender = null;
        AlarmRejection? rejection = null;
        if (settings.AllowedSenders.Count > 0)
        {
            // The SMTP envelope sender (mails received over SMTP only) counts like From: forwarding rules often keep it.
            matchedSender = SenderFilter.Match(message.From, settings.AllowedSenders)
                ?? SenderFilter.Match(message.EnvelopeFrom, settings.AllowedSenders)
                ?? (originalFrom is null || !settings.MatchForwardedSender ? null : SenderFilter.Match(originalFrom, settings.AllowedSenders));
            if (matchedSender is null)
            {
                var original = originalFrom is null ? "" : $" (forwarded from '{originalFrom}')";
                rejection = new AlarmRejection(
                    AlarmRejectionCodes.SenderNotAllowed,
                    $"The sender '{message.From ?? "(none)"}'{original} is not in allowedSenders.");
            }
        }

        if (rejection is null && keyword is null && incidentNumber is null)
        {
            rejection = new AlarmRejection(AlarmRejectionCodes.NoAlarmContent, "The mail has neither a keyword nor an incident number (Einsatznummer).");
        }

        return new AlarmEvaluation
        {
            IsAlarm = rejection is null,
            Rejection = rejection,
            Keyword = keyword,
            IncidentNumber = incidentNumber,
            Fields = fields,
            FieldSources = sources,
            Position = position,
            MatchedRules = matchedRules,
            RuleErrors = errors,
            MatchedSender = matchedSender,
            OriginalFrom = originalFrom,
            Late = IsLate(message, settings, now),
            Text = view.Text,
            AttachedLevel = level,
            DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        };
    }

    /// <summary>When the mail was sent: its Date header, else the server's receive time, else when it was fetched.</summary>
    public static DateTimeOffset SentAt(MailMessage message) => message.Date ?? message.InternalDate ?? message.FetchedAt;

    /// <summary>
    /// The one definition of <c>late</c>, for the stored message and its alarm alike: the mail was evaluated more than
    /// <see cref="EvaluationSettings.LateAfterMinutes"/> after it was sent (<see cref="SentAt"/>: its Date header, else the
    /// server's receive time). 0 minutes turns the flag off.
    /// </summary>
    public static bool IsLate(MailMessage message, EvaluationSettings settings, DateTimeOffset now) =>
        settings.LateAfterMinutes > 0 && now - SentAt(message) > TimeSpan.FromMinutes(settings.LateAfterMinutes);

    /// <summary>Labels in the text and the XML incident attachments of one level of a mail.</summary>
    private Extracted Extract(MailView view, List<string> labelSet, RegexBudget clock, List<RuleError> errors)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        GeoPosition? position = null;

        // 1. Labels in the text.
        var run = clock.Run(timeout => labels.Extract(view.Text, labelSet, timeout));
        if (run.Outcome == RegexRunOutcome.OverBudget)
        {
            errors.Add(OverBudget("label", clock));
        }
        else if (run.Outcome == RegexRunOutcome.TimedOut)
        {
            errors.Add(new RuleError("label", "timeout", $"Label extraction did not finish within {Ms(run.Timeout)} ms on this mail; labelled fields were skipped."));
        }
        else
        {
            foreach (var (label, value) in run.Value!)
            {
                fields[label] = value;
                sources[label] = "label";
            }

            AddressAssembler.Combine(fields, sources);
        }

        // 2. XML incident attachments.
        string? xmlKeywordSource = null;
        foreach (var xml in view.XmlAttachments)
        {
            var name = "xml:" + (xml.FileName ?? "attachment");
            try
            {
                var (xmlFields, xmlPosition) = XmlIncidentReader.Read(xml.Content);
                foreach (var (label, value) in xmlFields)
                {
                    fields[label] = value;
                    sources[label] = name;
                }

                if (xmlFields.ContainsKey(AlarmLabels.Stichwort))
                {
                    xmlKeywordSource = name;
                }

                position ??= xmlPosition;
            }
            catch (XmlException ex)
            {
                errors.Add(new RuleError(name, "invalid_xml", $"The attachment is not usable XML: {ex.Message}"));
            }
        }

        return new Extracted(fields, sources, position, xmlKeywordSource);
    }

    /// <summary>One level of a mail as the rules see it: the mail itself or an attached one.</summary>
    private sealed record MailView(string Subject, string? From, string Text, IReadOnlyList<MailXmlAttachment> XmlAttachments)
    {
        public static MailView Of(MailMessage message) => new(message.Subject, message.From, message.Text, message.XmlAttachments);

        public static MailView Of(MailAttachedMessage message) => new(message.Subject, message.From, message.Text, message.XmlAttachments);
    }

    private sealed record Extracted(Dictionary<string, string> Fields, Dictionary<string, string> Sources, GeoPosition? Position, string? XmlKeywordSource)
    {
        /// <summary>Alarm content of its own: an incident number, or a keyword from a label or the XML attachment.</summary>
        public bool HasAlarmContent(EvaluationSettings settings) =>
            Fields.ContainsKey(AlarmLabels.Einsatznummer)
            || XmlKeywordSource is not null
            || Fields.Keys.Any(k => string.Equals(k, settings.KeywordLabel, StringComparison.OrdinalIgnoreCase));
    }

    private Regex Rule(string pattern)
    {
        if (_rules.TryGetValue(pattern, out var cached))
        {
            return cached;
        }

        if (_rules.Count >= MaxCachedRules)
        {
            _rules.Clear();
        }

        // Backtracking engine on purpose: admins may use lookarounds and backreferences; the timeout bounds the cost.
        var regex = new Regex(pattern, RegexOptions.CultureInvariant, _timeout);
        _rules[pattern] = regex;
        return regex;
    }

    private static RuleError OverBudget(string rule, RegexBudget clock) =>
        new(rule, "budget", $"The mail's regular-expression budget of {Ms(clock.PerMail)} ms was used up; this was skipped.");

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
}
