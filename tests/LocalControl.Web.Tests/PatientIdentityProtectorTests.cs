using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;

namespace LocalControl.Web.Tests;

/// <summary>The identity key ring on its own: persistence, a wrong ring, the MRN normalisation and the masks.</summary>
public sealed class PatientIdentityProtectorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lc-idkeys-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static PatientIdentityRecord Row(LocalControl.Registry.ProtectedIdentity p) => new()
    {
        MrnProtected = p.Mrn, FamilyNameProtected = p.FamilyName, GivenNamesProtected = p.GivenNames,
        BirthDateProtected = p.BirthDate, SexProtected = p.Sex, MrnSearchKey = p.MrnSearchKey,
    };

    [Fact]
    public void A_row_decrypted_once_is_read_from_memory_until_any_of_its_ciphertexts_changes()
    {
        var protector = new PatientIdentityProtector(Path.Combine(_root, "cache"));
        var first = new PatientIdentity("CA00112233", "Lehtonen", "Ilona", new DateOnly(1962, 3, 14), "female");
        var row = Row(protector.Protect(first));
        row.Id = 41;
        row.Version = 1;
        Assert.Equal(first, protector.Unprotect(row));
        var hits = protector.CacheHits;
        Assert.Equal(first, protector.Unprotect(row));
        Assert.Equal(hits + 1, protector.CacheHits);

        // The same row id and version with other ciphertexts (a restored backup, a write that kept the version):
        // decrypted again, never the remembered identity.
        var second = new PatientIdentity("CA99887766", "Mäkinen", "Ilona", new DateOnly(1962, 3, 14), "female");
        var changed = Row(protector.Protect(second));
        changed.Id = 41;
        changed.Version = 1;
        Assert.Equal(second, protector.Unprotect(changed));
        Assert.Equal(hits + 1, protector.CacheHits);
        // One field only changed (the family name re-encrypted): decrypted again too.
        var third = Row(protector.Protect(second with { FamilyName = "Virta" }));
        changed.FamilyNameProtected = third.FamilyNameProtected;
        Assert.Equal(second with { FamilyName = "Virta" }, protector.Unprotect(changed));
        // A field moved to another column is another row (lengths and order are part of the hash).
        var swapped = Row(protector.Protect(first));
        swapped.Id = 42;
        (swapped.FamilyNameProtected, swapped.GivenNamesProtected) = (swapped.GivenNamesProtected, swapped.FamilyNameProtected);
        Assert.Equal(first with { FamilyName = first.GivenNames, GivenNames = first.FamilyName }, protector.Unprotect(swapped));
    }

    [Fact]
    public void The_ring_in_its_folder_reads_what_it_wrote_after_a_restart_and_another_ring_refuses_with_a_message()
    {
        var folderA = Path.Combine(_root, "a");
        var identity = new PatientIdentity("AB12345678", "Ørsted", "Hans Christian", new DateOnly(1951, 7, 23), "male");
        var row = Row(new PatientIdentityProtector(folderA).Protect(identity));
        Assert.NotEqual(identity.Mrn, row.MrnProtected);

        // A new process on the same folder: same ring, same search key.
        var reopened = new PatientIdentityProtector(folderA);
        Assert.Equal(identity, reopened.Unprotect(row));
        Assert.Equal(row.MrnSearchKey, reopened.SearchKey("AB12345678"));
        // Encryption is randomised; the search key is not.
        Assert.NotEqual(row.MrnProtected, Row(reopened.Protect(identity)).MrnProtected);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folderA));
            foreach (var f in Directory.GetFiles(folderA))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
            }
            Assert.Contains(Directory.GetFiles(folderA), f => f.EndsWith(".xml", StringComparison.Ordinal)); // the ring's key file
        }

        // Another ring (a different or fresh key folder) cannot read the row: a clear error, not garbage.
        var other = new PatientIdentityProtector(Path.Combine(_root, "b"));
        var e = Assert.Throws<IdentityKeyRingException>(() => other.Unprotect(row));
        Assert.Contains("cannot be decrypted with the key ring in", e.Message, StringComparison.Ordinal);
        Assert.Contains("Restore the key folder", e.Message, StringComparison.Ordinal);
        Assert.NotEqual(row.MrnSearchKey, other.SearchKey("AB12345678"));

        // A search-key file from ring A beside ring B's keys: refused at open.
        File.Copy(Path.Combine(folderA, PatientIdentityProtector.SearchKeyFile), Path.Combine(_root, "b", PatientIdentityProtector.SearchKeyFile), overwrite: true);
        var open = Assert.Throws<IdentityKeyRingException>(() => new PatientIdentityProtector(Path.Combine(_root, "b")));
        Assert.Contains("cannot decrypt its mrn-search.key", open.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab-1234 5678", "AB12345678")]
    [InlineData(" 0012/34.56 ", "00123456")] // leading zeros kept
    [InlineData("\uFF41\uFF22\uFF11\uFF12\uFF0D3", "AB123")] // full-width letters, digits and hyphen
    [InlineData("  ", null)]
    [InlineData(null, null)]
    public void Mrns_are_normalised_as_documented(string? typed, string? expected) =>
        Assert.Equal(expected, PatientIdentityProtector.NormaliseMrn(typed));

    [Theory]
    [InlineData("12#4")]
    [InlineData("ÄB123")]
    [InlineData("123456789012345678901234567890123")]
    public void Non_mrns_are_refused(string typed) =>
        Assert.Throws<ArgumentException>(() => PatientIdentityProtector.NormaliseMrn(typed));

    [Fact]
    public void Masks_show_the_last_four_characters_the_initials_and_the_sex_and_never_the_date_of_birth()
    {
        var identity = new PatientIdentity("AB12345678", "van der Berg", "Anna Lotte", new DateOnly(1960, 2, 29), "female");
        var masked = IdentityView.For(identity, full: false);
        Assert.Equal(("••••5678", "A. L. V.", "hidden", "female"), (masked.Mrn, masked.Name, masked.BirthDate, masked.Sex));
        var full = IdentityView.For(identity, full: true);
        Assert.Equal(("AB12345678", "VAN DER BERG, Anna Lotte", "1960-02-29", "female"), (full.Mrn, full.Name, full.BirthDate, full.Sex));
        Assert.Equal("••••", IdentityView.MaskMrn("1234"));
        Assert.Equal(IdentityView.NotRecorded, IdentityView.For(new PatientIdentity(null, null, null, null, null), full: false).Mrn);
        Assert.False(IdentityView.For(null, full: true).Recorded);
        var onlyMrn = IdentityView.For(new PatientIdentity("X99999", null, null, null, null), full: false);
        Assert.Equal(("••••9999", IdentityView.NotRecorded, IdentityView.NotRecorded), (onlyMrn.Mrn, onlyMrn.Name, onlyMrn.BirthDate));
    }
}
