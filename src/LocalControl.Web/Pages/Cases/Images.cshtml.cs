using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Imaging;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

[RequestSizeLimit(ImageStore.MaxUploadBytes + 1024 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = ImageStore.MaxUploadBytes + 1024 * 1024, ValueCountLimit = ImageStore.MaxSeriesFiles + 64)] // a series is one form entry per file
public sealed class ImagesModel(CaseRegistry registry, ImageStore store, CaseService cases, IAuthorizationService authorization, ILogger<ImagesModel> logger) : PageModel
{
    /// <summary>The case's lesions (id, organ, location), for the ruler's "save to lesion" choice.</summary>
    public IReadOnlyList<(string Id, string Label)> Lesions { get; private set; } = [];

    /// <summary>The case version the page was drawn from (a measurement is saved only onto that version).</summary>
    public int CaseVersion { get; private set; }

    /// <summary>A measure-from-image preview to confirm, or null.</summary>
    public ImageMeasurementPreview? Preview { get; private set; }

    /// <summary>The measure-from-image choices (echoed with a preview).</summary>
    public MeasureFromImageForm MeasureChoice { get; private set; } = new();

    /// <summary>What a saved measurement did (shown after the redirect), or null.</summary>
    public string? Saved { get; private set; }

    [FromRoute]
    public string CaseId { get; set; } = "";

    public IReadOnlyList<CaseImage> Images { get; private set; } = [];

    public bool CanUpload { get; private set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? saved, CancellationToken ct)
    {
        if (await registry.ViewAsync(CaseId, User.UserName(), "images", ct) is null)
        {
            return NotFound();
        }
        await LoadAsync(ct);
        Saved = saved is { Length: > 0 and <= 300 } ? saved : null;
        return Page();
    }

    /// <summary>
    /// A clinician saves a ruler measurement to a lesion field: the distance is measured again here from the two
    /// display-pixel points (the browser's number is not trusted), written into the stored case file, read by the
    /// case-file reader and saved as a new case version through the normal save path (version check, audit line with
    /// the image, plane, slice and both LPS points).
    /// </summary>
    public async Task<IActionResult> OnPostMeasurementAsync(MeasurementForm form, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        if (!(await authorization.AuthorizeAsync(User, Policies.Edit)).Succeeded)
        {
            return Forbid();
        }
        var record = await registry.FindAsync(CaseId, ct);
        if (record is null)
        {
            return NotFound();
        }
        if (record.Version != form.Version)
        {
            return await RefuseAsync(StatusCodes.Status409Conflict,
                $"Someone changed this case since you opened the page (now version {record.Version}, your measurement was for version {form.Version}). Nothing was saved: reload, look at the change, and measure again.", ct);
        }
        var image = await registry.FindImageAsync(CaseId, form.ImageId, ct);
        if (image is null)
        {
            return await RefuseAsync(StatusCodes.Status404NotFound, $"Image {form.ImageId} is not an image of this case.", ct);
        }
        if (Api.ImageSlices.ParsePlane(form.Plane) is not { } plane)
        {
            return await RefuseAsync(StatusCodes.Status400BadRequest, "The plane must be axial, coronal or sagittal.", ct);
        }
        var view = store.ViewOf(image, plane);
        if (form.Points() is not { } p)
        {
            return await RefuseAsync(StatusCodes.Status400BadRequest, $"The ruler's points (x1, y1, x2, y2) must be numbers; got '{form.X1}', '{form.Y1}', '{form.X2}', '{form.Y2}'.", ct);
        }
        if (Ruler.WhyRefused(view, form.Slice, p.X1, p.Y1, p.X2, p.Y2) is { } refused)
        {
            return await RefuseAsync(StatusCodes.Status400BadRequest, refused, ct);
        }
        var m = Ruler.Measure(view, form.Slice, p.X1, p.Y1, p.X2, p.Y2);
        if (Ruler.Saved(m.DistanceMm) <= 0)
        {
            return await RefuseAsync(StatusCodes.Status400BadRequest, "The two points are the same (0 mm): click two different points.", ct);
        }
        RulerEdit edit;
        try
        {
            var (e, error) = Ruler.SetLesionField(record.CaseFileJson, form.LesionId, form.Field, m.DistanceMm);
            if (e is null)
            {
                return await RefuseAsync(StatusCodes.Status400BadRequest, error!, ct);
            }
            edit = e;
        }
        catch (System.Text.Json.JsonException)
        {
            return await RefuseAsync(StatusCodes.Status422UnprocessableEntity, "The stored case file is not valid JSON; fix it in the editor first.", ct);
        }
        var check = cases.Check(edit.Json);
        if (check.Content is null)
        {
            return await RefuseAsync(StatusCodes.Status422UnprocessableEntity,
                $"Not saved: the case file would not read with lesions[{form.LesionId}].{form.Field} = {edit.SavedMm.ToString(System.Globalization.CultureInfo.InvariantCulture)}: "
                + string.Join("; ", check.Result.Errors.Select(e => e.ToString())), ct);
        }
        var was = edit.Previous is null ? "not recorded" : edit.Previous.ToJsonString() + " mm";
        var field = $"lesions[{form.LesionId}].{form.Field}";
        var note = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"ruler: {field} {was} -> {edit.SavedMm} mm ({m.DistanceMm:0.###} mm measured) on image {image.Id} ({image.FileName}), {plane.ToString().ToLowerInvariant()} slice {form.Slice}, from LPS {Ruler.Describe(m.ALps)} to {Ruler.Describe(m.BLps)} mm");
        var (outcome, version) = await registry.UpdateAsync(CaseId, form.Version, check.Content, User.UserName(), ct, note);
        switch (outcome)
        {
            case WriteOutcome.NotFound:
                return NotFound();
            case WriteOutcome.Stale:
                return await RefuseAsync(StatusCodes.Status409Conflict, $"Someone changed this case while you saved (now version {version}). Nothing was saved; reload and measure again.", ct);
            case WriteOutcome.Conflict:
                return await RefuseAsync(StatusCodes.Status409Conflict, "Another case already has this caseId.", ct);
        }
        logger.CaseUpdated(record.Id, version);
        var saved = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Saved {field} = {edit.SavedMm} mm (was {was}); case version {version}.");
        return Redirect($"/cases/{Uri.EscapeDataString(CaseId)}/images?saved={Uri.EscapeDataString(saved)}");
    }

    /// <summary>Measure from the image, step 1: measures the label map and shows what merging it would do (nothing saved).</summary>
    public async Task<IActionResult> OnPostMeasurePreviewAsync(MeasureFromImageForm form, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        var (record, preview, refusal) = await MeasureAsync(form, ct);
        if (refusal is not null)
        {
            return refusal;
        }
        await LoadAsync(ct);
        Preview = preview;
        MeasureChoice = form;
        CaseVersion = record!.Version;
        return Page();
    }

    /// <summary>
    /// Measure from the image, step 2: the clinician confirmed the preview. The label map is measured again and
    /// merged; saved only if the result is the one previewed (same SHA-256) and the case is still at the version the
    /// preview was drawn from, through the normal save path (reader, new version, audit line).
    /// </summary>
    public async Task<IActionResult> OnPostMeasureSaveAsync(MeasureFromImageForm form, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        var (record, preview, refusal) = await MeasureAsync(form, ct);
        if (refusal is not null)
        {
            return refusal;
        }
        if (!string.Equals(preview!.Sha256, form.Sha256, StringComparison.Ordinal))
        {
            return await RefuseAsync(StatusCodes.Status409Conflict, "The measurement differs from the one you confirmed (the label map or the choices changed). Nothing was saved; preview again.", ct);
        }
        var check = cases.Check(preview.MergedJson!);
        if (check.Content is null)
        {
            return await RefuseAsync(StatusCodes.Status422UnprocessableEntity,
                "Not saved: the measured case file would not read: " + string.Join("; ", check.Result.Errors.Select(e => e.ToString())), ct);
        }
        var image = (await registry.FindImageAsync(CaseId, form.LabelsId, ct))!;
        var changed = preview.Fields.Where(f => f.Status is "measured" or "measured, replaces typed" or "new lesion").ToList();
        var note = $"measured from image {image.Id} ({image.FileName}), label table {form.TableLabel}{(form.PreferTyped ? ", typed values preferred" : "")}: "
            + $"{changed.Count} values filled, {changed.Count(f => f.Status == "measured, replaces typed")} typed values replaced"
            + string.Concat(changed.Select(f => $"; lesions[{f.LesionId}].{f.Field} {f.Typed ?? "-"} -> {f.Result}"));
        var (outcome, version) = await registry.UpdateAsync(CaseId, form.Version, check.Content, User.UserName(), ct, note);
        switch (outcome)
        {
            case WriteOutcome.NotFound:
                return NotFound();
            case WriteOutcome.Stale:
            case WriteOutcome.Conflict:
                return await RefuseAsync(StatusCodes.Status409Conflict, $"Someone changed this case while you saved (now version {version}). Nothing was saved; preview again.", ct);
        }
        logger.CaseUpdated(record!.Id, version);
        var saved = $"Saved the measurement from image {image.Id} ({image.FileName}): {changed.Count} values filled from the image; case version {version}.";
        return Redirect($"/cases/{Uri.EscapeDataString(CaseId)}/images?saved={Uri.EscapeDataString(saved)}");
    }

    /// <summary>
    /// What both steps of measure from the image do first: the clinician's right to edit, the case at the form's
    /// version, the label map and table read, the label map measured and merged. Either a refusal to answer with
    /// (403, 404, 409, 400, or 422 when the measurement itself failed), or the record and the preview.
    /// </summary>
    private async Task<(CaseRecord? Record, ImageMeasurementPreview? Preview, IActionResult? Refusal)> MeasureAsync(MeasureFromImageForm form, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Edit)).Succeeded)
        {
            return (null, null, Forbid());
        }
        var record = await registry.FindAsync(CaseId, ct);
        if (record is null)
        {
            return (null, null, NotFound());
        }
        if (record.Version != form.Version)
        {
            return (record, null, await RefuseAsync(StatusCodes.Status409Conflict,
                $"Someone changed this case since you opened the page (now version {record.Version}, your page was for version {form.Version}). Nothing was measured or saved; reload and measure again.", ct));
        }
        var labels = await registry.FindImageAsync(CaseId, form.LabelsId, ct);
        if (labels is null)
        {
            return (record, null, await RefuseAsync(StatusCodes.Status404NotFound, $"Image {form.LabelsId} is not an image of this case.", ct));
        }
        var (table, error) = ImageMeasurement.ReadTable(form.Table, form.TableJson);
        if (table is null)
        {
            return (record, null, await RefuseAsync(StatusCodes.Status400BadRequest, error!, ct));
        }
        var preview = ImageMeasurement.Preview(store, labels, table, form.TableLabel, record.CaseFileJson, form.PreferTyped);
        return preview.Error is null
            ? (record, preview, null)
            : (record, null, await RefuseAsync(StatusCodes.Status422UnprocessableEntity, preview.Error, ct));
    }

    private async Task<IActionResult> RefuseAsync(int status, string message, CancellationToken ct)
    {
        Error = message;
        await LoadAsync(ct);
        Response.StatusCode = status;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(List<IFormFile>? upload, string? kind, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Edit)).Succeeded)
        {
            return Forbid();
        }
        if (await registry.FindAsync(CaseId, ct) is null)
        {
            return NotFound();
        }
        var chosen = (upload ?? []).Where(f => f.Length > 0).ToList();
        if (chosen.Count == 0)
        {
            Error = "Choose a file.";
        }
        else
        {
            var streams = new List<(Stream, string)>(chosen.Count);
            try
            {
                foreach (var f in chosen)
                {
                    streams.Add((f.OpenReadStream(), f.FileName));
                }
                var stored = await store.StoreAsync(streams, kind ?? "", User.UserName(), ct);
                if (stored.Image is null)
                {
                    Error = stored.Error;
                }
                else if ((await registry.AddImageAsync(CaseId, stored.Image, ct)).Outcome != WriteOutcome.Done)
                {
                    store.Delete(stored.Image.StoredPath); // the case went away meanwhile: keep no orphan files
                    return NotFound();
                }
                else
                {
                    return Redirect($"/cases/{Uri.EscapeDataString(CaseId)}/images");
                }
            }
            finally
            {
                foreach (var (s, _) in streams)
                {
                    await s.DisposeAsync();
                }
            }
        }
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>A clinician deletes an image (a wrong patient's scan, a bad segmentation): the record and both files go, the audit keeps what it was.</summary>
    public async Task<IActionResult> OnPostDeleteAsync(long imageId, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Edit)).Succeeded)
        {
            return Forbid();
        }
        var image = await registry.FindImageAsync(CaseId, imageId, ct);
        if (image is null || await registry.DeleteImageAsync(CaseId, imageId, User.UserName(), ct) != WriteOutcome.Done)
        {
            return NotFound();
        }
        store.Delete(image.StoredPath);
        return Redirect($"/cases/{Uri.EscapeDataString(CaseId)}/images");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Images = await registry.ImagesAsync(CaseId, ct);
        CanUpload = (await authorization.AuthorizeAsync(User, Policies.Edit)).Succeeded;
        if (await registry.FindAsync(CaseId, ct) is { } record)
        {
            CaseVersion = record.Version;
            Lesions = LesionsOf(record.CaseFileJson);
        }
    }

    private static List<(string Id, string Label)> LesionsOf(string caseFileJson)
    {
        var list = new List<(string, string)>();
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(caseFileJson, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })?["lesions"] is System.Text.Json.Nodes.JsonArray lesions)
            {
                foreach (var l in lesions.OfType<System.Text.Json.Nodes.JsonObject>())
                {
                    if (l["id"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var id))
                    {
                        var organ = l["organ"] is System.Text.Json.Nodes.JsonValue o && o.TryGetValue<string>(out var os) ? os : "";
                        var location = l["location"] is System.Text.Json.Nodes.JsonValue loc && loc.TryGetValue<string>(out var ls) ? ls : "";
                        list.Add((id, string.Join(", ", new[] { id, organ, location }.Where(x => x.Length > 0))));
                    }
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // An unreadable stored file: no lesion to save to (the editor says why).
        }
        return list;
    }
}

/// <summary>Measure from the image: the label map, its label table (a built-in name, or JSON typed on the page),
/// whether typed values win, the case version the page showed and, to confirm, the previewed result's SHA-256.</summary>
public sealed class MeasureFromImageForm
{
    /// <summary>The label map (an image of kind labels).</summary>
    public long LabelsId { get; set; }
    /// <summary>A built-in label table (totalsegmentator, lits, …), used when <see cref="TableJson"/> is empty.</summary>
    public string? Table { get; set; }
    /// <summary>A label table as JSON, e.g. {"1": "liver", "2": "tumour"}.</summary>
    public string? TableJson { get; set; }
    /// <summary>Keep typed values where both exist (as <c>--prefer-typed</c>).</summary>
    public bool PreferTyped { get; set; }
    /// <summary>The case version the page was drawn from.</summary>
    public int Version { get; set; }
    /// <summary>The previewed merged case file's SHA-256 (confirm only).</summary>
    public string? Sha256 { get; set; }
    /// <summary>The table as the audit names it.</summary>
    public string TableLabel => string.IsNullOrWhiteSpace(TableJson) ? Table ?? "" : "typed " + (TableJson.Length > 200 ? TableJson[..200] + "…" : TableJson.ReplaceLineEndings(" "));
}

/// <summary>A ruler measurement to save: the image, plane and slice it was taken on, its two display-pixel points,
/// the lesion field it goes to, and the case version the page showed. The points arrive as text and are read with
/// the invariant culture (a browser sends "12.5" whatever the server's culture).</summary>
public sealed class MeasurementForm
{
    /// <summary>The four coordinates, or null when one is not a number.</summary>
    public (double X1, double Y1, double X2, double Y2)? Points()
    {
        static double? Read(string? s) => double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;
        return Read(X1) is { } x1 && Read(Y1) is { } y1 && Read(X2) is { } x2 && Read(Y2) is { } y2 ? (x1, y1, x2, y2) : null;
    }

    /// <summary>The image measured on.</summary>
    public long ImageId { get; set; }
    /// <summary>axial, coronal or sagittal.</summary>
    public string? Plane { get; set; }
    /// <summary>The displayed slice.</summary>
    public int Slice { get; set; }
    /// <summary>First point, display pixel column (continuous).</summary>
    public string? X1 { get; set; }
    /// <summary>First point, row.</summary>
    public string? Y1 { get; set; }
    /// <summary>Second point, column.</summary>
    public string? X2 { get; set; }
    /// <summary>Second point, row.</summary>
    public string? Y2 { get; set; }
    /// <summary>The lesion (case file id).</summary>
    public string? LesionId { get; set; }
    /// <summary>One of <see cref="Ruler.LesionFields"/>.</summary>
    public string? Field { get; set; }
    /// <summary>The case version the page was drawn from.</summary>
    public int Version { get; set; }
}
