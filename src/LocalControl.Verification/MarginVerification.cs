using System.Diagnostics;
using LocalControl.Core.Cases;
using LocalControl.Imaging.Volumes;
using LocalControl.Verification.Margins;
using LocalControl.Verification.Registration;

namespace LocalControl.Verification;

/// <summary>What to verify: the pre-procedure segmentation (liver, tumours), the post-procedure one (liver, zone), and optional extras.</summary>
public sealed record VerificationInput
{
    /// <summary>Pre-procedure labels: roles <c>liver</c> and <c>tumour</c>.</summary>
    public required LabelMap Pre { get; init; }

    /// <summary>Post-procedure labels: roles <c>liver</c> and <c>ablation-zone</c>.</summary>
    public required LabelMap Post { get; init; }

    /// <summary>The pre CT/MR on the pre labels' grid (intensity refinement, pictures), or null.</summary>
    public Volume<float>? PreImage { get; init; }

    /// <summary>The post CT/MR on the post labels' grid (intensity refinement), or null.</summary>
    public Volume<float>? PostImage { get; init; }

    /// <summary>RAS status from the case file; null when no case file was given.</summary>
    public MutationStatus? Ras { get; init; }

    /// <summary>Registration settings (landmarks go here).</summary>
    public RegistrationOptions Registration { get; init; } = new();

    /// <summary>Margin settings (the segment map goes here).</summary>
    public MarginOptions Margins { get; init; } = new();
}

/// <summary>The verification of one treatment: registration, every tumour's margin, the worst one and its reading.</summary>
public sealed record VerificationReport(RegistrationResult Registration, MarginResult Margins, TumourMargin Worst, MarginAssessment Assessment, double WallSeconds);

/// <summary>
/// Verify: registers the post-procedure scan to the pre-procedure scan (rigid, from the liver masks, refined on the
/// images when both are given), then measures each tumour's minimal ablative margin in 3D and reads it against the
/// evidence. Never returns a margin computed from inputs that cannot support one: those raise <see cref="VerificationException"/>.
/// </summary>
public static class MarginVerification
{
    /// <summary>Runs the whole verification.</summary>
    public static VerificationReport Verify(VerificationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clock = Stopwatch.StartNew();
        var pre = input.Pre;
        var post = input.Post;
        using var boxes = LabelBoxes.Scope(pre.Labels, post.Labels); // one pass per volume for every box asked below
        if (input.PreImage is { } preImage && !preImage.Geometry.IsSameGridAs(pre.Labels.Geometry))
        {
            throw new VerificationException("LC-VERIFY-007", "the pre image is not on the pre segmentation's voxel grid.", field: "pre-image");
        }

        if (input.PostImage is { } postImage && !postImage.Geometry.IsSameGridAs(post.Labels.Geometry))
        {
            throw new VerificationException("LC-VERIFY-007", "the post image is not on the post segmentation's voxel grid.", field: "post-image");
        }

        // Check the masks that the margin needs before spending time on registration.
        if (pre.Table.ValuesWithRole(LabelRole.Tumour).Count == 0)
        {
            throw new VerificationException("LC-VERIFY-002", "the pre label table names no 'tumour' label: there is no tumour to verify.", field: "tumour");
        }

        if (post.Table.ValuesWithRole(LabelRole.AblationZone).Count == 0)
        {
            throw new VerificationException("LC-VERIFY-003", "the post label table names no 'ablation-zone' label: there is no zone to measure the margin to.", field: "ablation-zone");
        }

        if (MaskRegion.BoundingBox(pre.Labels, pre.Table.ValuesWithRole(LabelRole.Tumour)).IsEmpty)
        {
            throw new VerificationException("LC-VERIFY-002", "the tumour mask of the pre scan is empty.", field: "tumour");
        }

        if (MaskRegion.BoundingBox(post.Labels, post.Table.ValuesWithRole(LabelRole.AblationZone)).IsEmpty)
        {
            throw new VerificationException("LC-VERIFY-003", "the ablation-zone mask of the post scan is empty.", field: "ablation-zone");
        }

        // Register only by a real liver in both scans: never by the tumour and the zone themselves (that would
        // align the zone onto the tumour and report the margin the registration made).
        var hasLiver = !MaskRegion.BoundingBox(pre.Labels, pre.Table.ValuesWithRole(LabelRole.Liver)).IsEmpty
            && !MaskRegion.BoundingBox(post.Labels, post.Table.ValuesWithRole(LabelRole.Liver)).IsEmpty;
        RegistrationResult registration;
        if (!hasLiver && pre.Labels.Geometry.IsSameGridAs(post.Labels.Geometry))
        {
            registration = RegistrationResult.SameGrid();
        }
        else
        {
            var options = input.Registration with { PreImage = input.PreImage ?? input.Registration.PreImage, PostImage = input.PostImage ?? input.Registration.PostImage };
            registration = MaskRegistration.Register(pre, post, options);
        }

        var margins = MarginAnalysis.Compute(pre, post, registration.PostToPre, input.Margins, registration);
        var worst = margins.Tumours.MinBy(t => t.MinimalMarginMm)!;
        var assessment = MarginRisk.Assess(worst, input.Ras);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var loosest = margins.Tumours.Where(t => double.IsFinite(t.RegistrationUncertaintyMm)).MaxBy(t => t.RegistrationUncertaintyMm);
        if (loosest is not null && loosest.RegistrationUncertaintyMm > RegistrationResult.PoorlyConstrainedMm)
        {
            registration.Notes = [.. registration.Notes, string.Create(inv,
                $"Registration poorly constrained: the liver surface does not pin the pose (a nearly symmetric liver fits as well turned about some axis); the registration uncertainty reaches ±{loosest.RegistrationUncertaintyMm:0.0} mm at {loosest.Id}. Add landmarks (--landmarks) or the images (--pre-image/--post-image).")];
        }

        if (double.IsFinite(worst.RegistrationUncertaintyMm) && worst.RegistrationUncertaintyMm > RegistrationResult.PoorlyConstrainedMm)
        {
            assessment = assessment with
            {
                Recommendation = string.Create(inv,
                    $"Registration poorly constrained: the margin of {worst.Id} is uncertain by ±{worst.RegistrationUncertaintyMm:0.0} mm, so its {worst.MinimalMarginMm:0.0} mm is not a confident measurement; add landmarks (--landmarks) or the images (--pre-image/--post-image) and verify again. Provisional reading: ") + assessment.Recommendation,
            };
        }
        return new VerificationReport(registration, margins, worst, assessment, clock.Elapsed.TotalSeconds);
    }
}
