using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace LocalControl.Web.Infrastructure;

/// <summary>A patient's identity in clear: what the board needs to be sure it discusses the right patient. Null = not recorded.</summary>
/// <param name="Mrn">Medical record number, normalised (<see cref="PatientIdentityProtector.NormaliseMrn"/>).</param>
/// <param name="FamilyName">Family name.</param>
/// <param name="GivenNames">Given name(s).</param>
/// <param name="BirthDate">Date of birth.</param>
/// <param name="Sex">Administrative sex: one of <see cref="PatientIdentity.SexCodes"/>.</param>
public sealed record PatientIdentity(string? Mrn, string? FamilyName, string? GivenNames, DateOnly? BirthDate, string? Sex)
{
    /// <summary>The code list of sex: FHIR R4 AdministrativeGender (http://hl7.org/fhir/administrative-gender).</summary>
    public static IReadOnlyList<string> SexCodes { get; } = ["female", "male", "other", "unknown"];

    /// <summary>True when no field is recorded.</summary>
    public bool IsEmpty => Mrn is null && FamilyName is null && GivenNames is null && BirthDate is null && Sex is null;

    /// <summary>The names of the fields that differ from <paramref name="before"/> (for the audit line: names, never values).</summary>
    public IReadOnlyList<string> ChangedFrom(PatientIdentity? before)
    {
        before ??= new PatientIdentity(null, null, null, null, null);
        var changed = new List<string>();
        if (!string.Equals(Mrn, before.Mrn, StringComparison.Ordinal)) { changed.Add("mrn"); }
        if (!string.Equals(FamilyName, before.FamilyName, StringComparison.Ordinal)) { changed.Add("family name"); }
        if (!string.Equals(GivenNames, before.GivenNames, StringComparison.Ordinal)) { changed.Add("given names"); }
        if (BirthDate != before.BirthDate) { changed.Add("date of birth"); }
        if (!string.Equals(Sex, before.Sex, StringComparison.Ordinal)) { changed.Add("sex"); }
        return changed;
    }
}

/// <summary>The key ring cannot read the stored identities (a wrong, replaced or lost key folder).</summary>
public sealed class IdentityKeyRingException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Encrypts patient identities for the registry and computes the MRN search key. The key ring is ASP.NET Core data
/// protection's, persisted in its own folder (<c>Identity:KeyFolder</c>, default <c>{Registry:DataFolder}/identity-keys</c>),
/// never in the database: a copy of the database alone reveals no identity. Beside the ring, <c>mrn-search.key</c>
/// holds the HMAC-SHA256 key of the MRN search, itself encrypted by the ring.
/// </summary>
public sealed class PatientIdentityProtector
{
    /// <summary>Purpose of the field encryption (versioned: a new scheme gets a new purpose, old rows stay readable under the old one).</summary>
    public const string Purpose = "LocalControl.PatientIdentity.Fields.v1";

    /// <summary>Purpose that protects the MRN search key file.</summary>
    public const string SearchKeyPurpose = "LocalControl.PatientIdentity.MrnSearchKey.v1";

    /// <summary>The search key's file name in the key folder.</summary>
    public const string SearchKeyFile = "mrn-search.key";

    /// <summary>Data-protection application name of the ring (so that the ring, not its path, decides what it can read).</summary>
    public const string ApplicationName = "LocalControl.PatientIdentity";

    /// <summary>Longest normalised MRN.</summary>
    public const int MaxMrnLength = 32;

    /// <summary>Longest name field.</summary>
    public const int MaxNameLength = 100;

    private readonly IDataProtector _fields;
    private readonly byte[] _searchKey;

    /// <summary>Opens the key ring in <paramref name="keyFolder"/>, creating the folder (0700), the ring and the search key when new.</summary>
    /// <exception cref="IdentityKeyRingException">The search key in the folder cannot be decrypted with the ring there.</exception>
    public PatientIdentityProtector(string keyFolder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyFolder);
        KeyFolder = Path.GetFullPath(keyFolder);
        PrivateFiles.CreateFolder(KeyFolder);
        var provider = DataProtectionProvider.Create(new DirectoryInfo(KeyFolder), b => b.SetApplicationName(ApplicationName));
        _fields = provider.CreateProtector(Purpose);
        var keyProtector = provider.CreateProtector(SearchKeyPurpose);
        var path = Path.Combine(KeyFolder, SearchKeyFile);
        if (File.Exists(path))
        {
            try
            {
                _searchKey = keyProtector.Unprotect(Convert.FromBase64String(File.ReadAllText(path).Trim()));
            }
            catch (Exception e) when (e is CryptographicException or FormatException)
            {
                throw new IdentityKeyRingException(
                    $"The patient-identity key ring in {KeyFolder} cannot decrypt its {SearchKeyFile}: the folder holds another ring's files or is damaged. "
                    + "Restore the key folder from its backup (Identity:KeyFolder); without the right ring no stored identity can be read.", e);
            }
        }
        else
        {
            var fresh = RandomNumberGenerator.GetBytes(32);
            PrivateFiles.WriteAllText(path, Convert.ToBase64String(keyProtector.Protect(fresh)));
            _searchKey = fresh;
        }
        // The ring's XML key files are written with the process umask; the folder is 0700 and the files are narrowed to 0600.
        if (!OperatingSystem.IsWindows())
        {
            foreach (var f in Directory.EnumerateFiles(KeyFolder))
            {
                File.SetUnixFileMode(f, PrivateFiles.FileMode);
            }
        }
    }

    /// <summary>The key folder (absolute).</summary>
    public string KeyFolder { get; }

    /// <summary>The key folder's search-key file: present once the ring has been used.</summary>
    public static bool HasRing(string keyFolder) => File.Exists(Path.Combine(keyFolder, SearchKeyFile));

    /// <summary>
    /// The MRN as stored and searched: full-width forms mapped to ASCII, white space and the separators - / . removed,
    /// upper case (ASCII letters; a non-ASCII letter is refused, not folded). The result
    /// must be 1 to 32 letters A–Z or digits; leading zeros are kept (they are part of many MRNs). Null for blank input.
    /// </summary>
    /// <exception cref="ArgumentException">Not an MRN after normalisation (the message says why, without the value).</exception>
    public static string? NormaliseMrn(string? typed)
    {
        if (string.IsNullOrWhiteSpace(typed))
        {
            return null;
        }
        var sb = new StringBuilder(typed.Length);
        foreach (var c in typed)
        {
            // Full-width forms (U+FF01–U+FF5E, typed with an East Asian input method) are their ASCII characters. The app
            // runs in invariant-globalization mode, where string.Normalize does not fold them, so this is done here.
            var ch = c is >= '\uFF01' and <= '\uFF5E' ? (char)(c - 0xFEE0) : c;
            if (char.IsWhiteSpace(ch) || ch is '-' or '/' or '.')
            {
                continue;
            }
            sb.Append(char.ToUpperInvariant(ch));
        }
        var mrn = sb.ToString();
        if (mrn.Length == 0)
        {
            return null;
        }
        if (mrn.Length > MaxMrnLength)
        {
            throw new ArgumentException($"must be at most {MaxMrnLength} letters or digits (spaces, '-', '/' and '.' are ignored)");
        }
        foreach (var ch in mrn)
        {
            if (ch is not (>= 'A' and <= 'Z') and not (>= '0' and <= '9'))
            {
                throw new ArgumentException("may hold only letters A–Z and digits (spaces, '-', '/' and '.' are ignored)");
            }
        }
        return mrn;
    }

    /// <summary>The MRN search key: HMAC-SHA256 of the normalised MRN (UTF-8) under the search key, 64 lower-case hex digits.</summary>
    public string SearchKey(string normalisedMrn)
    {
        ArgumentNullException.ThrowIfNull(normalisedMrn);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_searchKey, Encoding.UTF8.GetBytes(normalisedMrn)));
    }

    /// <summary>Encrypts every recorded field and computes the search key.</summary>
    public ProtectedIdentity Protect(PatientIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        string? P(string? v) => v is null ? null : _fields.Protect(v);
        return new ProtectedIdentity(
            P(identity.Mrn), P(identity.FamilyName), P(identity.GivenNames),
            P(identity.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), P(identity.Sex),
            identity.Mrn is null ? null : SearchKey(identity.Mrn));
    }

    /// <summary>Most decrypted identities kept in memory (about 0.4 kB each); beyond it the cache starts again empty.</summary>
    public const int MaxCachedIdentities = 100_000;

    // Decrypted identities by row id, each with the SHA-256 of the row's five ciphertexts it was decrypted from (in
    // memory only, never written anywhere). A data-protection Unprotect derives its subkeys for every payload: measured
    // at about 90 µs a field here (436 µs for an identity, 22 ms for a list page of 50), too slow for the case list on
    // every request; the hash costs a few µs. A row whose ciphertext changed in any way (a new version, a restored
    // backup) misses and is decrypted again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, (byte[] Hash, PatientIdentity Identity)> _decrypted = new();

    /// <summary>How many decryptions the cache has saved (for tests).</summary>
    public long CacheHits => Interlocked.Read(ref _cacheHits);

    private long _cacheHits;

    /// <summary>Decrypts a stored identity (from memory when this row's ciphertexts were decrypted before).</summary>
    /// <exception cref="IdentityKeyRingException">The row was encrypted under a key this ring does not hold.</exception>
    public PatientIdentity Unprotect(PatientIdentityRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var hash = CiphertextHash(row);
        if (_decrypted.TryGetValue(row.Id, out var known) && CryptographicOperations.FixedTimeEquals(known.Hash, hash))
        {
            Interlocked.Increment(ref _cacheHits);
            return known.Identity;
        }
        var identity = Decrypt(row);
        if (_decrypted.Count >= MaxCachedIdentities)
        {
            _decrypted.Clear();
        }
        _decrypted[row.Id] = (hash, identity);
        return identity;
    }

    /// <summary>
    /// Decrypts every stored identity (up to <see cref="MaxCachedIdentities"/>) into the in-memory cache in the
    /// background after start-up, so that the case list and the case page do not pay a decryption on a patient's first
    /// view (about 4 s of one core for 10,000 identities). Read in pages of 1,000 by row id; a failure is logged (event
    /// 1046, the error type only) and left to the first view.
    /// </summary>
    public Task WarmAsync(IServiceProvider services, ILogger logger, CancellationToken ct) => Task.Run(async () =>
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var count = 0;
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            long after = 0;
            while (count < MaxCachedIdentities)
            {
                var page = await db.PatientIdentities.AsNoTracking().Where(p => p.Id > after).OrderBy(p => p.Id).Take(1000).ToListAsync(ct).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    break;
                }
                foreach (var row in page)
                {
                    Unprotect(row);
                    count++;
                }
                after = page[^1].Id;
            }
            logger.IdentitiesWarmed(count, sw.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.IdentitiesWarmUpFailed(e.GetType().Name);
        }
    }, ct);

    private static byte[] CiphertextHash(PatientIdentityRecord row)
    {
        // Each field with its length (null = -1), so that no two different rows concatenate to the same bytes.
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var field in (ReadOnlySpan<string?>)[row.MrnProtected, row.FamilyNameProtected, row.GivenNamesProtected, row.BirthDateProtected, row.SexProtected])
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, field?.Length ?? -1);
            h.AppendData(length);
            if (field is not null)
            {
                h.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(field.AsSpan()));
            }
        }
        return h.GetHashAndReset();
    }

    private PatientIdentity Decrypt(PatientIdentityRecord row)
    {
        try
        {
            string? U(string? v) => v is null ? null : _fields.Unprotect(v);
            var birth = U(row.BirthDateProtected);
            return new PatientIdentity(U(row.MrnProtected), U(row.FamilyNameProtected), U(row.GivenNamesProtected),
                birth is null ? null : DateOnly.ParseExact(birth, "yyyy-MM-dd", CultureInfo.InvariantCulture), U(row.SexProtected));
        }
        catch (CryptographicException e)
        {
            throw new IdentityKeyRingException(
                $"The patient identity cannot be decrypted with the key ring in {KeyFolder}: it was encrypted under a key this ring does not hold "
                + "(a replaced or lost key folder). Restore the key folder from its backup (Identity:KeyFolder).", e);
        }
    }
}

/// <summary>
/// A patient identity as one user may see it. Clinicians and coordinators see every field; everyone else (viewers, an
/// admin without a clinical role) sees it masked: the MRN's last four characters, the initials, the sex, and no date
/// of birth.
/// </summary>
public sealed record IdentityView(bool Recorded, bool Full, string Mrn, string Name, string BirthDate, string Sex)
{
    /// <summary>The mask character run.</summary>
    public const string Mask = "••••";

    /// <summary>Shown for a field not recorded.</summary>
    public const string NotRecorded = "not recorded";

    /// <summary>The view of <paramref name="identity"/> (null: none recorded) for a user who may (<paramref name="full"/>) or may not see it in clear.</summary>
    public static IdentityView For(PatientIdentity? identity, bool full)
    {
        if (identity is null || identity.IsEmpty)
        {
            return new IdentityView(false, full, NotRecorded, NotRecorded, NotRecorded, NotRecorded);
        }
        var sex = identity.Sex ?? NotRecorded;
        if (full)
        {
            return new IdentityView(true, true, identity.Mrn ?? NotRecorded, FullName(identity),
                identity.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? NotRecorded, sex);
        }
        return new IdentityView(true, false, MaskMrn(identity.Mrn), Initials(identity), identity.BirthDate is null ? NotRecorded : "hidden", sex);
    }

    /// <summary>"FAMILY, Given" (the family name in capitals, as hospital labels print it).</summary>
    public static string FullName(PatientIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return (identity.FamilyName, identity.GivenNames) switch
        {
            (null, null) => NotRecorded,
            ({ } f, null) => f.ToUpperInvariant(),
            (null, { } g) => g,
            ({ } f, { } g) => f.ToUpperInvariant() + ", " + g,
        };
    }

    /// <summary>"••••" and the last four characters of an MRN longer than four; an MRN of four or fewer is masked whole.</summary>
    public static string MaskMrn(string? mrn) =>
        mrn is null ? NotRecorded : mrn.Length > 4 ? Mask + mrn[^4..] : Mask;

    /// <summary>Initials: the first letter of each given name, then of the family name ("J. M. D.").</summary>
    public static string Initials(PatientIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var parts = (identity.GivenNames ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Concat((identity.FamilyName ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(1))
            .Select(p => char.ToUpperInvariant(p[0]) + ".").ToList();
        return parts.Count == 0 ? NotRecorded : string.Join(" ", parts);
    }

    /// <summary>One line for the summary and the PDF.</summary>
    public string Line => Recorded
        ? $"{Name} · MRN {Mrn} · born {BirthDate} · sex {Sex}"
        : "Patient identity not recorded: check the patient against the hospital record before discussing.";
}
