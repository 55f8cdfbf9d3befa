using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace LocalControl.Follow.Fhir.Tests;

/// <summary>
/// The Firely validator on the R4 core specification shipped with the SDK (offline). Built once per test class: the
/// first validation compiles the core profiles and takes tens of seconds on a loaded machine.
/// The mCODE package is not available offline, so bundles are validated against base R4 only: <see cref="Validate"/>
/// removes <c>meta.profile</c> from a copy first, and reports every other error.
/// </summary>
public sealed class BaseR4Validator
{
    private readonly Lazy<Validator> validator = new(() =>
    {
        var resolver = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(resolver, new LocalTerminologyService(resolver));
    });

    /// <summary>Error and fatal issues of the bundle against base R4 (empty when valid).</summary>
    public IReadOnlyList<string> Validate(Bundle bundle)
    {
        var copy = (Bundle)bundle.DeepCopy();
        foreach (var e in copy.Entry)
        {
            e.Resource.Meta = null;
        }

        lock (validator)
        {
            var outcome = validator.Value.Validate(copy);
            return outcome.Issue
                .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
                .Select(i => $"{i.Severity}: {string.Join(",", i.Expression)}: {i.Details?.Text ?? i.Diagnostics}")
                .ToList();
        }
    }

    /// <summary>Warnings (for the test log).</summary>
    public IReadOnlyList<string> Warnings(Bundle bundle)
    {
        var copy = (Bundle)bundle.DeepCopy();
        foreach (var e in copy.Entry)
        {
            e.Resource.Meta = null;
        }

        lock (validator)
        {
            return validator.Value.Validate(copy).Issue.Where(i => i.Severity == OperationOutcome.IssueSeverity.Warning)
                .Select(i => $"{string.Join(",", i.Expression)}: {i.Details?.Text ?? i.Diagnostics}").ToList();
        }
    }
}
