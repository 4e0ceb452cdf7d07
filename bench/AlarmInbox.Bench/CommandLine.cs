using System.Globalization;

namespace AlarmInbox.Bench;

/// <summary>Reads <c>--name value</c> pairs from the command line.</summary>
/// <param name="args">The arguments after the subcommand.</param>
public sealed class CommandLine(string[] args)
{
    /// <summary>The value after the last <paramref name="name"/>, or null.</summary>
    public string? Value(string name) => All(name).LastOrDefault();

    /// <summary>The values after every <paramref name="name"/>.</summary>
    public IReadOnlyList<string> All(string name)
    {
        var values = new List<string>();
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == name)
            {
                values.Add(args[i + 1]);
            }
        }

        return values;
    }

    /// <summary>An integer option; <paramref name="fallback"/> null makes it required.</summary>
    /// <exception cref="ArgumentException">Missing or not a number.</exception>
    public int Int(string name, int? fallback) => Value(name) is { } v
        ? int.TryParse(v.Replace(",", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{name}: '{v}' is not a whole number.")
        : fallback ?? throw new ArgumentException($"{name} is required.");

    /// <summary>A decimal option.</summary>
    /// <exception cref="ArgumentException">Not a number.</exception>
    public double Double(string name, double fallback) => Value(name) is { } v
        ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new ArgumentException($"{name}: '{v}' is not a number.")
        : fallback;

    /// <summary>A comma-separated list of integers.</summary>
    /// <exception cref="ArgumentException">An element is not a whole number.</exception>
    public IReadOnlyList<int> IntList(string name, IReadOnlyList<int> fallback) => Value(name) is { } v
        ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{name}: '{x}' is not a whole number."))
            .ToList()
        : fallback;
}
