using System.Security.Cryptography;

namespace LocalControl.Web.Infrastructure;

/// <summary>
/// The one-time token that lets the first person create the admin account when no admin exists and none was
/// configured. It lives in memory only, is printed once on the console at start, and is spent on use.
/// </summary>
public sealed class SetupToken
{
    private readonly Lock _lock = new();
    private string? _token;

    /// <summary>True while a token is outstanding.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_lock)
            {
                return _token is not null;
            }
        }
    }

    /// <summary>Issues a fresh random token (128 bits, hex).</summary>
    public string Issue()
    {
        lock (_lock)
        {
            _token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            return _token;
        }
    }

    /// <summary>Checks <paramref name="candidate"/> in constant time and, if it matches, spends the token.</summary>
    public bool TrySpend(string? candidate)
    {
        lock (_lock)
        {
            if (_token is null || candidate is null)
            {
                return false;
            }
            var ok = CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(_token), System.Text.Encoding.ASCII.GetBytes(candidate.Trim()));
            if (ok)
            {
                _token = null;
            }
            return ok;
        }
    }
}
