using LocalControl.Registry;
using LocalControl.Registry.Entities;
using LocalControl.Web.Imaging;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

[RequestSizeLimit(ImageStore.MaxUploadBytes + 1024 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = ImageStore.MaxUploadBytes + 1024 * 1024)]
public sealed class ImagesModel(CaseRegistry registry, ImageStore store, IAuthorizationService authorization) : PageModel
{
    [FromRoute]
    public string CaseId { get; set; } = "";

    public IReadOnlyList<CaseImage> Images { get; private set; } = [];

    public bool CanUpload { get; private set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await registry.ViewAsync(CaseId, User.UserName(), "images", ct) is null)
        {
            return NotFound();
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(IFormFile? upload, string? kind, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Edit)).Succeeded)
        {
            return Forbid();
        }
        if (await registry.FindAsync(CaseId, ct) is null)
        {
            return NotFound();
        }
        if (upload is null || upload.Length == 0)
        {
            Error = "Choose a file.";
        }
        else
        {
            await using var stream = upload.OpenReadStream();
            var stored = await store.StoreAsync(stream, upload.FileName, kind ?? "", User.UserName(), ct);
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
    }
}
