using System.Security.Cryptography;
using System.Text;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace LocalControl.Web.Infrastructure;

/// <summary>
/// What sign-in needs to hold up to an attacker: a keyed hash for user names that match no account (the audit never
/// keeps what was typed, which may be a password typed in the wrong box), and a password check that costs the same
/// whether or not the account exists (no timing difference tells which names exist).
/// </summary>
/// <remarks>
/// The key is <c>Security:AuditNameKey</c> (base64, at least 32 bytes; set it on every instance of a shared
/// deployment) or else a random key generated on first start and kept in <c>{Registry:DataFolder}/audit-name.key</c>
/// (mode 0600), encrypted with ASP.NET Core data protection. It is never in the code.
/// </remarks>
public sealed class AccountSecurity
{
    /// <summary>Prefix of a hashed unknown user name in the audit.</summary>
    public const string UnknownPrefix = "unknown:";

    private readonly byte[] _key;
    private readonly Lazy<string> _dummyHash;
    private readonly IPasswordHasher<RegistryUser> _hasher;

    /// <summary>Loads or creates the key.</summary>
    public AccountSecurity(IConfiguration config, RegistrySettings settings, IDataProtectionProvider protection, IOptions<PasswordHasherOptions> hashing)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(protection);
        // The hasher Identity uses for accounts (PasswordHasher with the same options: algorithm and iteration count);
        // Identity registers it per request, this one lives as long as the app.
        _hasher = new PasswordHasher<RegistryUser>(hashing);
        _key = LoadKey(config["Security:AuditNameKey"], settings.DataFolder, protection.CreateProtector("LocalControl.AuditNameKey.v1"));
        // A hash of a random password, made by the same hasher (same algorithm and iteration count as real accounts).
        _dummyHash = new Lazy<string>(() => _hasher.HashPassword(new RegistryUser(), Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));
    }

    /// <summary>The audit's name for a typed user name that matches no account: "unknown:" and 24 hex digits of HMAC-SHA256.</summary>
    public string UnknownName(string typed)
    {
        ArgumentNullException.ThrowIfNull(typed);
        var normalised = typed.Trim().Normalize(NormalizationForm.FormKC).ToUpperInvariant();
        return UnknownPrefix + Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(normalised)))[..24];
    }

    /// <summary>Verifies <paramref name="password"/> against a dummy hash: the work a real check does, for a name with no account.</summary>
    public void SpendPasswordCheck(string password) =>
        _ = _hasher.VerifyHashedPassword(new RegistryUser(), _dummyHash.Value, password ?? "");

    private static byte[] LoadKey(string? configured, string dataFolder, IDataProtector protector)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(configured.Trim());
            }
            catch (FormatException)
            {
                throw new StartupException("Security:AuditNameKey must be base64 (e.g. `openssl rand -base64 32`).");
            }
            return key.Length >= 32 ? key : throw new StartupException("Security:AuditNameKey must hold at least 32 bytes.");
        }
        var path = Path.Combine(dataFolder, "audit-name.key");
        if (File.Exists(path))
        {
            try
            {
                return protector.Unprotect(Convert.FromBase64String(File.ReadAllText(path).Trim()));
            }
            catch (Exception e) when (e is CryptographicException or FormatException)
            {
                throw new StartupException(
                    "The audit name key (audit-name.key in the data folder) cannot be decrypted with this server's data-protection keys; "
                    + "restore the key ring, or set Security:AuditNameKey.");
            }
        }
        var fresh = RandomNumberGenerator.GetBytes(32);
        PrivateFiles.WriteAllText(path, Convert.ToBase64String(protector.Protect(fresh)));
        return fresh;
    }
}
