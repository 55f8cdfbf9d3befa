using LocalControl.Registry.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LocalControl.Registry.Configurations;

internal sealed class CaseRecordConfiguration : IEntityTypeConfiguration<CaseRecord>
{
    public void Configure(EntityTypeBuilder<CaseRecord> b)
    {
        b.ToTable("cases");
        b.HasKey(c => c.Id);
        b.Property(c => c.CaseId).HasMaxLength(128).IsRequired();
        b.HasIndex(c => c.CaseId).IsUnique();
        b.Property(c => c.Status).HasMaxLength(16).HasConversion(
            s => s.ToName(),
            s => Parse(s));
        // The list's order (newest change first, id as tie-break), with and without the status filter. The indexes
        // also carry every column the list shows and searches, so a list page and its search are read from the index
        // alone: the table rows hold the case-file JSON, and reaching a column after it means reading its overflow pages.
        b.HasIndex(c => new { c.Status, c.UpdatedUtc, c.Id, c.CaseId, c.Organs, c.LesionCount, c.MeetingDate })
            .HasDatabaseName("IX_cases_list_by_status");
        b.HasIndex(c => new { c.UpdatedUtc, c.Id, c.Status, c.CaseId, c.Organs, c.LesionCount, c.MeetingDate })
            .HasDatabaseName("IX_cases_list");
        b.HasIndex(c => c.MeetingDate);
        b.Property(c => c.CaseFileJson).IsRequired();
        b.Property(c => c.Organs).HasMaxLength(128);
        b.Property(c => c.Version).IsConcurrencyToken();
        b.HasMany(c => c.Decisions).WithOne(d => d.Case).HasForeignKey(d => d.CaseRecordId).OnDelete(DeleteBehavior.Restrict);
    }

    private static CaseStatus Parse(string name) =>
        CaseStatusNames.TryParse(name, out var s) ? s : throw new InvalidOperationException($"Unknown case status in the database: '{name}'.");
}

internal sealed class DecisionRecordConfiguration : IEntityTypeConfiguration<DecisionRecord>
{
    public void Configure(EntityTypeBuilder<DecisionRecord> b)
    {
        b.ToTable("decisions");
        b.HasKey(d => d.Id);
        b.HasIndex(d => new { d.CaseRecordId, d.RecordedUtc });
        b.Property(d => d.Intent).HasMaxLength(16);
        b.Property(d => d.RuleSetVersion).HasMaxLength(64);
        b.Property(d => d.RecordedBy).HasMaxLength(256);
        b.HasIndex(d => d.ChainSeq).IsUnique(); // two writers cannot both extend the chain from the same row
        b.Property(d => d.PrevHash).HasMaxLength(64);
        b.Property(d => d.RowHash).HasMaxLength(64);
    }
}

internal sealed class DecisionSignOffConfiguration : IEntityTypeConfiguration<DecisionSignOff>
{
    public void Configure(EntityTypeBuilder<DecisionSignOff> b)
    {
        b.ToTable("decision_signoffs");
        b.HasKey(s => s.Id);
        b.HasIndex(s => new { s.DecisionId, s.UserName }).IsUnique(); // once per attendee, also under a race
        b.HasOne<DecisionRecord>().WithMany().HasForeignKey(s => s.DecisionId).OnDelete(DeleteBehavior.Restrict);
        b.Property(s => s.UserName).HasMaxLength(256);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit");
        b.HasKey(a => a.Id);
        b.HasIndex(a => a.AtUtc);
        b.HasIndex(a => new { a.EntityType, a.EntityKey });
        b.Property(a => a.UserName).HasMaxLength(256);
        b.Property(a => a.Action).HasMaxLength(32);
        b.Property(a => a.EntityType).HasMaxLength(32);
        b.Property(a => a.EntityKey).HasMaxLength(256);
        b.Property(a => a.Detail).HasMaxLength(1024);
        b.HasIndex(a => new { a.UserName, a.Id }); // the admin's filter by user
        b.HasIndex(a => a.ChainSeq).IsUnique(); // two writers cannot both extend the chain from the same row
        b.Property(a => a.PrevHash).HasMaxLength(64);
        b.Property(a => a.RowHash).HasMaxLength(64);
    }
}

internal sealed class CaseFileVersionConfiguration : IEntityTypeConfiguration<CaseFileVersion>
{
    public void Configure(EntityTypeBuilder<CaseFileVersion> b)
    {
        b.ToTable("case_versions");
        b.HasKey(v => v.Id);
        b.HasIndex(v => new { v.CaseRecordId, v.Version }).IsUnique();
        b.HasOne<CaseRecord>().WithMany().HasForeignKey(v => v.CaseRecordId).OnDelete(DeleteBehavior.Restrict);
        b.Property(v => v.CaseId).HasMaxLength(128);
        b.Property(v => v.CaseFileJson).IsRequired();
        b.Property(v => v.Sha256).HasMaxLength(64);
        b.Property(v => v.ChangedBy).HasMaxLength(256);
    }
}

internal sealed class CaseImageConfiguration : IEntityTypeConfiguration<CaseImage>
{
    public void Configure(EntityTypeBuilder<CaseImage> b)
    {
        b.ToTable("images");
        b.HasKey(i => i.Id);
        b.HasIndex(i => i.CaseRecordId);
        b.HasOne<CaseRecord>().WithMany().HasForeignKey(i => i.CaseRecordId).OnDelete(DeleteBehavior.Restrict);
        b.Property(i => i.Kind).HasMaxLength(16);
        b.Property(i => i.FileName).HasMaxLength(256);
        b.Property(i => i.StoredPath).HasMaxLength(512);
        b.Property(i => i.Format).HasMaxLength(16);
        b.Property(i => i.SpacingMm).HasMaxLength(64);
        b.Property(i => i.Sha256).HasMaxLength(64);
        b.Property(i => i.UploadedBy).HasMaxLength(256);
    }
}

internal sealed class TreatmentRecordConfiguration : IEntityTypeConfiguration<TreatmentRecord>
{
    public void Configure(EntityTypeBuilder<TreatmentRecord> b)
    {
        b.ToTable("treatments");
        b.HasKey(t => t.Id);
        b.HasIndex(t => t.CaseRecordId);
        b.HasIndex(t => new { t.Therapy, t.Date }); // cohorts by tool
        b.HasOne<CaseRecord>().WithMany().HasForeignKey(t => t.CaseRecordId).OnDelete(DeleteBehavior.Cascade);
        // Ids and free text are as long as the case file has them (the case file sets no limit); vocabularies are short.
        b.Property(t => t.Therapy).HasMaxLength(16);
        b.Property(t => t.Approach).HasMaxLength(16);
        b.Property(t => t.Intent).HasMaxLength(16);
    }
}

internal sealed class FollowUpFindingRecordConfiguration : IEntityTypeConfiguration<FollowUpFindingRecord>
{
    public void Configure(EntityTypeBuilder<FollowUpFindingRecord> b)
    {
        b.ToTable("follow_up_lesions");
        b.HasKey(f => f.Id);
        b.HasIndex(f => new { f.CaseRecordId, f.LesionId, f.StudyDate });
        b.HasOne<CaseRecord>().WithMany().HasForeignKey(f => f.CaseRecordId).OnDelete(DeleteBehavior.Cascade);
        b.Property(f => f.Modality).HasMaxLength(16);
        b.Property(f => f.Status).HasMaxLength(16);
    }
}

internal sealed class PatientIdentityRecordConfiguration : IEntityTypeConfiguration<PatientIdentityRecord>
{
    public void Configure(EntityTypeBuilder<PatientIdentityRecord> b)
    {
        b.ToTable("patient_identities");
        b.HasKey(p => p.Id);
        b.HasIndex(p => p.CaseRecordId).IsUnique();
        // Not unique: one patient may have several case records (a new presentation).
        b.HasIndex(p => p.MrnSearchKey);
        b.HasOne<CaseRecord>().WithMany().HasForeignKey(p => p.CaseRecordId).OnDelete(DeleteBehavior.Restrict);
        b.Property(p => p.MrnSearchKey).HasMaxLength(64);
        b.Property(p => p.UpdatedBy).HasMaxLength(256);
        b.Property(p => p.Version).IsConcurrencyToken();
    }
}
