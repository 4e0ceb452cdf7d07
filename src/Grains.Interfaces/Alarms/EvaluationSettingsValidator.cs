using System.Text.RegularExpressions;

namespace AlarmInbox.Grains.Interfaces.Alarms;

/// <summary>Checks <see cref="EvaluationSettings"/> before they are stored; called once per command, by the tenant's alarms grain (<see cref="ITenantAlarmsGrain"/>).</summary>
public static partial class EvaluationSettingsValidator
{
    /// <summary>How long compiling a pattern may take here; matching has its own timeout.</summary>
    private static readonly TimeSpan CompileCheckTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>Validates settings. Field names in the result are the JSON names of the API, with indexes (<c>rules[0].pattern</c>).</summary>
    /// <returns>An empty dictionary when valid, otherwise field name → messages.</returns>
    public static Dictionary<string, string[]> Validate(EvaluationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        if (settings.AllowedSenders.Count > AlarmLimits.MaxAllowedSenders)
        {
            errors["allowedSenders"] = [$"allowedSenders may have at most {AlarmLimits.MaxAllowedSenders} entries."];
        }

        for (var i = 0; i < settings.AllowedSenders.Count; i++)
        {
            if (!IsValidSender(settings.AllowedSenders[i]))
            {
                errors[$"allowedSenders[{i}]"] = [$"'{Truncate(settings.AllowedSenders[i])}' is neither an e-mail address (alarmierung@ils.example) nor a domain (ils.example or @ils.example)."];
            }
        }

        if (!Enum.IsDefined(settings.KeywordSource))
        {
            errors["keywordSource"] = ["keywordSource must be Subject or Label."];
        }

        if (!IsValidLabel(settings.KeywordLabel))
        {
            errors["keywordLabel"] = [LabelRule("keywordLabel")];
        }

        if (settings.Labels.Count > AlarmLimits.MaxLabels)
        {
            errors["labels"] = [$"labels may have at most {AlarmLimits.MaxLabels} entries."];
        }

        for (var i = 0; i < settings.Labels.Count; i++)
        {
            if (!IsValidLabel(settings.Labels[i]))
            {
                errors[$"labels[{i}]"] = [LabelRule($"labels[{i}]")];
            }
        }

        if (settings.Rules.Count > AlarmLimits.MaxRules)
        {
            errors["rules"] = [$"rules may have at most {AlarmLimits.MaxRules} entries."];
        }

        for (var i = 0; i < settings.Rules.Count; i++)
        {
            ValidateRule(settings.Rules[i], $"rules[{i}]", errors);
        }

        // A null entry ("rules": [null]) is reported above, per entry; it must not end the validation with an exception.
        var named = settings.Rules.Where(r => r is not null).Select(r => r.Name).ToList();
        if (named.Distinct(StringComparer.OrdinalIgnoreCase).Count() != named.Count)
        {
            errors["rules"] = ["rule names must be unique."];
        }

        if (settings.IncidentMergeWindowMinutes is < 0 or > AlarmLimits.MaxMinutes)
        {
            errors["incidentMergeWindowMinutes"] = [$"incidentMergeWindowMinutes must be between 0 and {AlarmLimits.MaxMinutes}; got {settings.IncidentMergeWindowMinutes}."];
        }

        if (settings.LateAfterMinutes is < 0 or > AlarmLimits.MaxMinutes)
        {
            errors["lateAfterMinutes"] = [$"lateAfterMinutes must be between 0 and {AlarmLimits.MaxMinutes}; got {settings.LateAfterMinutes}."];
        }

        return errors;
    }

    /// <summary>Whether <paramref name="entry"/> is an address or a domain (optionally with a leading <c>@</c>).</summary>
    public static bool IsValidSender(string? entry) =>
        !string.IsNullOrWhiteSpace(entry) && entry.Length <= 320 && SenderRegex().IsMatch(entry.Trim());

    /// <summary>Whether <paramref name="label"/> is a usable label: 1 to 50 letters, digits, spaces, <c>.-/()</c>, no colon.</summary>
    public static bool IsValidLabel(string? label) =>
        !string.IsNullOrWhiteSpace(label) && label.Length <= AlarmLimits.MaxLabelLength && LabelRegex().IsMatch(label);

    private static void ValidateRule(AlarmRule? rule, string field, Dictionary<string, string[]> errors)
    {
        if (rule is null)
        {
            errors[field] = ["a rule must be an object with name and pattern."];
            return;
        }

        if (string.IsNullOrWhiteSpace(rule.Name) || rule.Name.Length > AlarmLimits.MaxRuleNameLength || rule.Name.Any(char.IsControl))
        {
            errors[field + ".name"] = [$"name must be 1 to {AlarmLimits.MaxRuleNameLength} characters, without control characters."];
        }

        if (!Enum.IsDefined(rule.Source))
        {
            errors[field + ".source"] = ["source must be Text or Subject."];
        }

        if (string.IsNullOrEmpty(rule.Pattern) || rule.Pattern.Length > AlarmLimits.MaxPatternLength)
        {
            errors[field + ".pattern"] = [$"pattern must be 1 to {AlarmLimits.MaxPatternLength} characters."];
            return;
        }

        try
        {
            var regex = new Regex(rule.Pattern, RegexOptions.CultureInvariant, CompileCheckTimeout);
            if (!regex.GetGroupNames().Any(n => !int.TryParse(n, out _)))
            {
                errors[field + ".pattern"] = ["pattern needs at least one named group, e.g. (?<Einsatznummer>\\d{4}-\\d{6}); its name becomes the field name."];
            }
        }
        catch (ArgumentException ex)
        {
            errors[field + ".pattern"] = [$"pattern is not a valid regular expression: {ex.Message}"];
        }
    }

    private static string LabelRule(string field) =>
        $"{field} must be 1 to {AlarmLimits.MaxLabelLength} characters: letters, digits, spaces and . - / ( ), without a colon (e.g. Meldender).";

    private static string Truncate(string? value) => value is null ? "" : value.Length <= 80 ? value : value[..80] + "…";

    // No match timeout on these two: the patterns are fixed and the input is capped (320 characters, MaxLabelLength), so
    // a match costs microseconds; a wall-clock timeout only failed valid settings on a machine too busy to schedule the
    // thread within 100 ms (seen in ClusterProcessTests under load).
    [GeneratedRegex(@"^(?:[^@\s<>()\[\],;:""]+@|@)?(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$", RegexOptions.CultureInvariant)]
    private static partial Regex SenderRegex();

    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N} ./()-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelRegex();
}
