using LocalControl.Registry.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LocalControl.Registry.Configurations;

internal sealed class MeetingRecordConfiguration : IEntityTypeConfiguration<MeetingRecord>
{
    public void Configure(EntityTypeBuilder<MeetingRecord> b)
    {
        b.ToTable("meetings");
        b.HasKey(m => m.Id);
        b.HasIndex(m => m.Date);
        b.Property(m => m.Kind).HasMaxLength(128);
        b.Property(m => m.Attendees).HasMaxLength(4000);
        b.Property(m => m.CreatedBy).HasMaxLength(256);
    }
}

internal sealed class MeetingCaseRecordConfiguration : IEntityTypeConfiguration<MeetingCaseRecord>
{
    public void Configure(EntityTypeBuilder<MeetingCaseRecord> b)
    {
        b.ToTable("meeting_cases");
        b.HasKey(m => m.Id);
        b.HasIndex(m => new { m.MeetingId, m.CaseRecordId }).IsUnique();
        b.HasIndex(m => new { m.CaseRecordId, m.Status });
        b.Property(m => m.Status).HasMaxLength(32);
        b.HasOne<MeetingRecord>().WithMany().HasForeignKey(m => m.MeetingId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<CaseRecord>().WithMany().HasForeignKey(m => m.CaseRecordId).OnDelete(DeleteBehavior.Cascade);
    }
}
