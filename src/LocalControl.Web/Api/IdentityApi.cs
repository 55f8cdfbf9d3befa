using LocalControl.Registry;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LocalControl.Web.Api;

/// <summary>A patient identity through the API: in clear for coordinators and clinicians (<see cref="Masked"/> false),
/// masked for every other role (MRN's last four characters, initials, sex; no names, no date of birth).</summary>
public sealed record IdentityDto(bool Masked, string? Mrn, string? FamilyName, string? GivenNames, string? Initials, DateOnly? BirthDate, string? Sex, int Version);

/// <summary>The identity to store (every field; blank or missing = not recorded), as the case page's form takes it.</summary>
public sealed record IdentityRequest(string? Mrn, string? FamilyName, string? GivenNames, string? BirthDate, string? Sex);

/// <summary>GET and PUT /api/cases/{caseId}/identity.</summary>
public static class IdentityApi
{
    /// <summary>Maps the identity endpoints.</summary>
    public static IEndpointRouteBuilder MapIdentityApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/cases").WithTags("Patient identity").RequireAuthorization(Policies.Read).DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(16 * 1024));
        api.MapGet("/{caseId}/identity", Get).WithName("GetIdentity")
            .WithSummary("The patient identity: in clear for coordinators and clinicians, masked for other roles. ETag: the identity version (0 when none).");
        api.MapPut("/{caseId}/identity", Put).WithName("SetIdentity")
            .WithSummary("Enters or replaces the patient identity. Send the identity version in If-Match (\"0\" when none is recorded); a newer one answers 412.")
            .RequireAuthorization(Policies.Identity);
        return app;
    }

    private static async Task<Results<Ok<IdentityDto>, ProblemHttpResult>> Get(
        string caseId, CaseRegistry registry, PatientIdentityProtector protector, IdentityReader identities, HttpContext http, CancellationToken ct)
    {
        if (await registry.ViewAsync(caseId, http.User.UserName(), "api identity", ct).ConfigureAwait(false) is null)
        {
            return NotFound();
        }
        var row = await registry.IdentityAsync(caseId, ct).ConfigureAwait(false);
        PatientIdentity? identity;
        try
        {
            identity = row is null ? null : protector.Unprotect(row);
        }
        catch (IdentityKeyRingException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Patient identity unreadable.", detail: e.Message);
        }
        var version = row?.Version ?? 0;
        http.Response.Headers.ETag = $"\"{version}\"";
        return TypedResults.Ok(ToDto(identity, await identities.MaySeeAsync(http.User).ConfigureAwait(false), version));
    }

    private static async Task<Results<Ok<IdentityDto>, ValidationProblem, ProblemHttpResult>> Put(
        string caseId, IdentityRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, CaseRegistry registry,
        PatientIdentityProtector protector, TimeProvider clock, HttpContext http, ILogger<CaseService> logger, CancellationToken ct)
    {
        if (!int.TryParse(ifMatch?.Trim().Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var expected))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired,
                title: "Send If-Match with the identity version you read (the ETag of GET /api/cases/{caseId}/identity; \"0\" when none is recorded).");
        }
        var record = await registry.FindAsync(caseId, ct).ConfigureAwait(false);
        if (record is null)
        {
            return NotFound();
        }
        var form = new IdentityForm { Mrn = request.Mrn, FamilyName = request.FamilyName, GivenNames = request.GivenNames, BirthDate = request.BirthDate, Sex = request.Sex };
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var identity = form.Validate(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), errors);
        if (identity is null)
        {
            // The form's field names (Identity.BirthDate) as the body's (birthDate).
            return TypedResults.ValidationProblem(errors.ToDictionary(
                e => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(e.Key["Identity.".Length..]), e => e.Value.ToArray()));
        }
        var row = await registry.IdentityAsync(caseId, ct).ConfigureAwait(false);
        PatientIdentity? before;
        try
        {
            before = row is null ? null : protector.Unprotect(row);
        }
        catch (IdentityKeyRingException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Patient identity unreadable.", detail: e.Message + " Nothing was saved.");
        }
        var (outcome, version) = await registry.SetIdentityAsync(caseId, expected, protector.Protect(identity), identity.ChangedFrom(before), http.User.UserName(), ct).ConfigureAwait(false);
        switch (outcome)
        {
            case WriteOutcome.NotFound:
                return NotFound();
            case WriteOutcome.Stale:
                return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed,
                    title: "The identity has changed since you read it.", detail: $"The current identity version is {version}; read it again.");
        }
        logger.IdentityChanged(record.Id, version);
        http.Response.Headers.ETag = $"\"{version}\"";
        return TypedResults.Ok(ToDto(identity, full: true, version));
    }

    private static IdentityDto ToDto(PatientIdentity? identity, bool full, int version)
    {
        if (identity is null || identity.IsEmpty)
        {
            return new IdentityDto(!full, null, null, null, null, null, null, version);
        }
        return full
            ? new IdentityDto(false, identity.Mrn, identity.FamilyName, identity.GivenNames, null, identity.BirthDate, identity.Sex, version)
            : new IdentityDto(true, identity.Mrn is null ? null : IdentityView.MaskMrn(identity.Mrn),
                null, null, identity.FamilyName is null && identity.GivenNames is null ? null : IdentityView.Initials(identity), null, identity.Sex, version);
    }

    private static ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No case with this id.");
}
