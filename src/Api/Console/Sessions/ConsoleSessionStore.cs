using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace AlarmInbox.Api.Console.Sessions;

/// <summary>
/// Keeps console sessions (with their API key) in this process's memory; the cookie carries only the encrypted
/// session id. Sign-out removes the session, so a copied cookie is useless afterwards; a restart of the API ends all
/// sessions. Expired sessions are dropped when they are next read and on every new sign-in.
/// </summary>
public sealed class ConsoleSessionStore(TimeProvider time) : ITicketStore
{
    private readonly ConcurrentDictionary<string, AuthenticationTicket> _sessions = new(StringComparer.Ordinal);

    /// <summary>The number of sessions held (expired ones included until they are dropped).</summary>
    public int Count => _sessions.Count;

    /// <inheritdoc />
    public Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        foreach (var (id, stored) in _sessions)
        {
            if (Expired(stored))
            {
                _sessions.TryRemove(id, out _);
            }
        }

        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        _sessions[key] = ticket;
        return Task.FromResult(key);
    }

    /// <inheritdoc />
    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        if (_sessions.ContainsKey(key))
        {
            _sessions[key] = ticket;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        if (_sessions.TryGetValue(key, out var ticket) && Expired(ticket))
        {
            _sessions.TryRemove(key, out _);
            ticket = null;
        }

        return Task.FromResult(ticket);
    }

    /// <inheritdoc />
    public Task RemoveAsync(string key)
    {
        _sessions.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    private bool Expired(AuthenticationTicket ticket) => ticket.Properties.ExpiresUtc is { } expires && expires <= time.GetUtcNow();
}
