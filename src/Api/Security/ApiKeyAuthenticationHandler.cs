using System.Security.Claims;
using System.Text.Encodings.Web;
using AlarmInbox.Grains.Interfaces.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AlarmInbox.Api.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c> against the bootstrap key hash
/// and the key directory grain. No key: no result (the authorization step answers 401). Unknown, wrong or revoked key:
/// failure (401). Challenges and forbids are written as ProblemDetails.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    BootstrapKey bootstrap,
    IGrainFactory grains,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The alternative header.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = ReadKey(Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (bootstrap.Matches(key))
        {
            return Success(ApiKeys.BootstrapKeyId, ApiClaims.OperatorRole, null);
        }

        var id = ApiKeys.TryGetId(key);
        var stored = id is null ? null : await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Key).FindAsync(id);
        if (stored is null || !ApiKeys.Matches(key, stored.SecretHash))
        {
            return AuthenticateResult.Fail("Unknown API key.");
        }

        if (stored.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("Revoked API key.");
        }

        return stored.Role == ApiKeyRole.Operator
            ? Success(stored.Id, ApiClaims.OperatorRole, null)
            : Success(stored.Id, ApiClaims.TenantAdminRole, stored.TenantId);
    }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "An API key is required.",
                Detail = "Send a valid, unrevoked API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.",
            },
        });
    }

    /// <inheritdoc />
    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Not allowed for this API key.",
                Detail = "This endpoint needs the operator role.",
            },
        });
    }

    private static string? ReadKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            return token.Length == 0 ? null : token;
        }

        var header = request.Headers[ApiKeyHeader].ToString().Trim();
        return header.Length == 0 ? null : header;
    }

    private AuthenticateResult Success(string keyId, string role, string? tenantId)
    {
        var claims = new List<Claim> { new(ApiClaims.KeyId, keyId), new(ClaimTypes.Role, role) };
        if (tenantId is not null)
        {
            claims.Add(new Claim(ApiClaims.TenantId, tenantId));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, ApiClaims.Scheme, ApiClaims.KeyId, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, ApiClaims.Scheme));
    }
}
