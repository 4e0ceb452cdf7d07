using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace AlarmInbox.Grains.Interfaces.Tenants;

/// <summary>Rules for tenant ids and names.</summary>
public static partial class TenantValidator
{
    /// <summary>Longest tenant name, in characters.</summary>
    public const int MaxNameLength = 200;

    /// <summary>
    /// Validates a new tenant. The id is 2 to 64 characters of lower-case letters, digits and hyphens, starting
    /// with a letter (so that it is never read as a number by the storage provider).
    /// </summary>
    /// <returns>An empty dictionary when valid, otherwise field name → messages.</returns>
    public static Dictionary<string, string[]> Validate(string? id, string? name)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!IsValidId(id))
        {
            errors["id"] = ["id must be 2 to 64 characters: lower-case letters a-z, digits and '-', starting with a letter (e.g. ff-musterdorf)."];
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            errors["name"] = ["name must not be empty."];
        }
        else if (name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            errors["name"] = [$"name must be at most {MaxNameLength} characters, without control characters."];
        }

        return errors;
    }

    /// <summary>Whether <paramref name="id"/> is a well-formed tenant id.</summary>
    public static bool IsValidId([NotNullWhen(true)] string? id) => id is not null && TenantIdRegex().IsMatch(id);

    [GeneratedRegex("^[a-z][a-z0-9-]{1,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex TenantIdRegex();
}
