using LocalControl.Web.Api;

namespace LocalControl.Web.Pages.Cases;

/// <summary>What the case editor shows: the JSON text, the version being edited, and the last validation.</summary>
public sealed record EditorModel(string CaseFileJson, int Version, ValidationDto? Validation);
