using System.Text.Json;
using LocalControl.Follow;
using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

public sealed class DetailsModel(CaseRegistry registry, CaseService cases, IAuthorizationService authorization, PatientIdentityProtector identities,
    TimeProvider clock, ILogger<DetailsModel> logger) : PageModel
{
    /// <summary>The patient identity as this user may see it (in clear for clinicians and coordinators, masked otherwise).</summary>
    public IdentityView IdentityShown { get; private set; } = IdentityView.For(null, false);

    /// <summary>Why the identity cannot be shown (the key ring cannot decrypt it); null when it can.</summary>
    public string? IdentityError { get; private set; }

    /// <summary>Clinicians and coordinators enter and change the identity.</summary>
    public bool CanEditIdentity { get; private set; }

    /// <summary>The identity form (bound on its post; prefilled from the stored identity for those who may edit it).</summary>
    [BindProperty]
    public IdentityForm Identity { get; set; } = new();

    /// <summary>The identity version the form was based on (0: none recorded yet).</summary>
    [BindProperty]
    public int IdentityVersion { get; set; }

    public CaseRecord Record { get; private set; } = null!;

    public AssessedCase? Assessed { get; private set; }

    /// <summary>The response history (RECIST per time point, ablation terminology per ablated lesion); null without follow-up data.</summary>
    public FollowEvaluation? Follow { get; private set; }

    public IReadOnlyList<DecisionRecord> Decisions { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public bool CanDecide { get; private set; }

    public bool CanSchedule { get; private set; }

    /// <summary>The treatment form (bound on its post; prefilled with the next free id on a get).</summary>
    [BindProperty]
    public TreatmentForm Treatment { get; set; } = new();

    /// <summary>The follow-up form.</summary>
    [BindProperty]
    public FollowUpForm FollowUp { get; set; } = new();

    /// <summary>The case version the form was based on (optimistic concurrency).</summary>
    [BindProperty]
    public int FormVersion { get; set; }

    /// <summary>Which form was posted and refused ("treatment" or "follow-up"), so that it is shown open.</summary>
    public string? OpenForm { get; private set; }

    /// <summary>The reader's messages at the form field they concern (field name → "path: message").</summary>
    public Dictionary<string, List<string>> FieldErrors { get; } = new(StringComparer.Ordinal);

    /// <summary>The reader's messages about the rest of the case file, and refusals such as a stale version.</summary>
    public List<string> FormErrors { get; } = [];

    public async Task<IActionResult> OnGetAsync(string caseId, CancellationToken ct)
    {
        var record = await registry.ViewAsync(caseId, User.UserName(), "case page", ct);
        if (record is null)
        {
            return NotFound();
        }
        await LoadAsync(record, ct, prefillIdentity: true);
        Treatment = new TreatmentForm { Id = FollowUpForms.NextTreatmentId(Assessed?.Case) };
        FollowUp = FollowUpForms.BlankFollowUp(Assessed?.Case);
        FormVersion = record.Version;
        return Page();
    }

    private async Task LoadAsync(CaseRecord record, CancellationToken ct, bool prefillIdentity = false)
    {
        Record = record;
        CanEditIdentity = (await authorization.AuthorizeAsync(User, Policies.Identity)).Succeeded;
        var row = await registry.IdentityAsync(record.CaseId, ct);
        PatientIdentity? identity = null;
        if (row is not null)
        {
            try
            {
                identity = identities.Unprotect(row);
            }
            catch (IdentityKeyRingException e)
            {
                logger.IdentityUnreadable(record.Id);
                IdentityError = e.Message;
            }
        }
        IdentityShown = IdentityView.For(identity, CanEditIdentity);
        if (prefillIdentity)
        {
            IdentityVersion = row?.Version ?? 0;
            Identity = CanEditIdentity ? IdentityForm.From(identity) : new IdentityForm();
        }
        Assessed = cases.Assess(record.CaseFileJson);
        Follow = Assessed?.Case.FollowUp is null ? null : FollowReport.Evaluate(Assessed.Case);
        Decisions = await registry.DecisionsAsync(record.CaseId, ct);
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.Edit)).Succeeded;
        CanDecide = (await authorization.AuthorizeAsync(User, Policies.Decide)).Succeeded;
        CanSchedule = (await authorization.AuthorizeAsync(User, Policies.Schedule)).Succeeded;
    }

    /// <summary>Adds a treatment to the case file (clinicians, as for the editor).</summary>
    public Task<IActionResult> OnPostTreatmentAsync(string caseId, CancellationToken ct) =>
        AppendAsync(caseId, "treatment", json => FollowUpForms.AppendTreatment(json, Treatment), "treatment added on the case page", ct);

    /// <summary>Adds a follow-up study to the case file.</summary>
    public Task<IActionResult> OnPostFollowUpAsync(string caseId, CancellationToken ct) =>
        AppendAsync(caseId, "follow-up", json => FollowUpForms.AppendFollowUp(json, FollowUp), "follow-up added on the case page", ct);

    private async Task<IActionResult> AppendAsync(string caseId, string form, Func<string, AppendedCaseFile> append, string note, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Edit)).Succeeded)
        {
            return Forbid();
        }
        var record = await registry.FindAsync(caseId, ct);
        if (record is null)
        {
            return NotFound();
        }
        if (record.Version != FormVersion)
        {
            return await RefuseAsync(record, form,
                $"Someone changed this case since you opened the page (now version {record.Version}, your form was for version {FormVersion}). Nothing was saved; your entries are below: reload the case to see the change, then add them again.", ct);
        }
        AppendedCaseFile appended;
        try
        {
            appended = append(record.CaseFileJson);
        }
        catch (JsonException)
        {
            return await RefuseAsync(record, form, "The stored case file is not valid JSON; fix it in the editor first.", ct);
        }
        var check = cases.Check(appended.Json);
        if (check.Content is null)
        {
            foreach (var e in check.Result.Errors)
            {
                var field = appended.FieldOf(e.Path);
                if (field is null)
                {
                    FormErrors.Add(e.ToString());
                }
                else
                {
                    (FieldErrors.TryGetValue(field, out var list) ? list : FieldErrors[field] = []).Add(e.ToString());
                }
            }
            return await RefuseAsync(record, form, null, ct);
        }
        var (outcome, version) = await registry.UpdateAsync(caseId, FormVersion, check.Content, User.UserName(), ct, note);
        switch (outcome)
        {
            case WriteOutcome.NotFound:
                return NotFound();
            case WriteOutcome.Stale:
                return await RefuseAsync((await registry.FindAsync(caseId, ct))!, form,
                    $"Someone changed this case while you saved (now version {version}). Nothing was saved; reload the case and add your entries again.", ct);
            case WriteOutcome.Conflict:
                return await RefuseAsync(record, form, "Another case already has this caseId.", ct);
        }
        logger.CaseUpdated(record.Id, version);
        return Redirect($"/cases/{Uri.EscapeDataString(caseId)}#h-response");
    }

    private async Task<IActionResult> RefuseAsync(CaseRecord record, string form, string? message, CancellationToken ct)
    {
        if (message is not null)
        {
            FormErrors.Insert(0, message);
        }
        OpenForm = form;
        await LoadAsync(record, ct);
        // Keep what was typed; the version stays the one the form was for, so a second post is refused again
        // until the page is reloaded (never saved over a change the user has not seen).
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    /// <summary>Enters or changes the patient identity (clinicians and coordinators); audited without the values.</summary>
    public async Task<IActionResult> OnPostIdentityAsync(string caseId, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Identity)).Succeeded)
        {
            return Forbid();
        }
        var record = await registry.FindAsync(caseId, ct);
        if (record is null)
        {
            return NotFound();
        }
        var identity = Identity.Validate(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), FieldErrors);
        if (identity is null)
        {
            return await RefuseAsync(record, "identity", null, ct);
        }
        var row = await registry.IdentityAsync(caseId, ct);
        PatientIdentity? before;
        try
        {
            before = row is null ? null : identities.Unprotect(row);
        }
        catch (IdentityKeyRingException e)
        {
            logger.IdentityUnreadable(record.Id);
            return await RefuseAsync(record, "identity", e.Message + " Nothing was saved.", ct);
        }
        var (outcome, version) = await registry.SetIdentityAsync(caseId, IdentityVersion, identities.Protect(identity), identity.ChangedFrom(before), User.UserName(), ct);
        switch (outcome)
        {
            case WriteOutcome.NotFound:
                return NotFound();
            case WriteOutcome.Stale:
                return await RefuseAsync(record, "identity",
                    $"Someone changed this patient's identity since you opened the page (now identity version {version}, your form was for version {IdentityVersion}). Nothing was saved: reload the case and check the identity.", ct);
        }
        logger.IdentityChanged(record.Id, version);
        return Redirect($"/cases/{Uri.EscapeDataString(caseId)}#h-identity");
    }

    public async Task<IActionResult> OnPostScheduleAsync(string caseId, string? status, DateOnly? meetingDate, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Schedule)).Succeeded)
        {
            return Forbid();
        }
        if (!CaseStatusNames.TryParse(status, out var s))
        {
            return BadRequest();
        }
        var outcome = await registry.ScheduleAsync(caseId, s, meetingDate, User.UserName(), ct);
        if (outcome == WriteOutcome.NotFound)
        {
            return NotFound();
        }
        var record = await registry.FindAsync(caseId, ct);
        if (record is not null)
        {
            logger.CaseScheduled(record.Id);
        }
        return Redirect($"/cases/{Uri.EscapeDataString(caseId)}");
    }
}
