namespace AlarmInbox.Grains.Auth;

/// <summary>An access token (a JWT for Exchange Online). Never logged, never stored.</summary>
/// <param name="Token">The bearer token.</param>
/// <param name="ExpiresOn">When it expires, as Entra ID reported it (<c>expires_in</c>).</param>
/// <param name="FromCache">Whether it came from the token cache (no request to Entra ID).</param>
public sealed record AccessToken(string Token, DateTimeOffset ExpiresOn, bool FromCache)
{
    /// <summary>Returns the record without the token.</summary>
    public override string ToString() => $"AccessToken {{ ExpiresOn = {ExpiresOn:O}, FromCache = {FromCache} }}";
}
