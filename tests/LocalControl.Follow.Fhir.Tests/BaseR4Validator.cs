using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace LocalControl.Follow.Fhir.Tests;

/// <summary>
/// The Firely validator on the R4 core specification (specification.zip of Hl7.Fhir.Specification.Data.R4, offline),
/// built once for the whole test run: loading and compiling the core profiles takes tens of seconds.
/// The mCODE package is not available offline, so bundles are validated against base R4: <see cref="Errors"/> drops
/// <c>meta.profile</c> from a copy first (the validator would otherwise fail to resolve the mCODE canonicals) and
/// reports every remaining error and fatal issue. The validator is not thread-safe: calls are serialised.
/// </summary>
public sealed class BaseR4Validator
{
    private readonly Validator validator;
    private readonly Lock gate = new();

    public BaseR4Validator()
    {
        var resolver = new CachedResolver(ZipSource.CreateValidationSource());
        validator = new Validator(resolver, new LocalTerminologyService(resolver));
    }

    /// <summary>Error and fatal issues of the resource against base R4 (empty when valid).</summary>
    public IReadOnlyList<string> Errors(Resource resource)
    {
        var copy = (Resource)resource.DeepCopy();
        if (copy is Bundle b)
        {
            foreach (var e in b.Entry)
            {
                if (e.Resource is not null)
                {
                    e.Resource.Meta = null;
                }
            }
        }

        copy.Meta = null;
        lock (gate)
        {
            var outcome = validator.Validate(copy);
            return outcome.Issue
                .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
                .Select(i => $"{i.Severity}: {string.Join(",", i.Expression)}: {i.Details?.Text ?? i.Diagnostics}")
                .ToList();
        }
    }
}

/// <summary>One validator for every test class that validates.</summary>
[CollectionDefinition(Name)]
public sealed class ValidatorCollection : ICollectionFixture<BaseR4Validator>
{
    public const string Name = "FHIR R4 validator";
}
