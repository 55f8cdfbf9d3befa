using LocalControl.Registry;
using LocalControl.Web.Api;
using LocalControl.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LocalControl.Web.Pages.Cases;

public sealed class NewModel(CaseService cases, CaseRegistry registry, ILogger<NewModel> logger) : PageModel
{
    /// <summary>A blank case: only what identifies it. Everything else is unknown until entered.</summary>
    public const string Template = """
        {
          "caseId": "",
          "patient": {},
          "lesions": []
        }
        """;

    [BindProperty]
    public string CaseFileJson { get; set; } = Template;

    public ValidationDto? Validation { get; private set; }

    public bool Conflict { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var check = cases.Check(CaseFileJson ?? "");
        Validation = CasesApi.ToValidation(check);
        if (check.Content is null)
        {
            return Page();
        }
        if (await registry.CreateAsync(check.Content, User.UserName(), ct) != WriteOutcome.Done)
        {
            Conflict = true;
            return Page();
        }
        var record = (await registry.FindAsync(check.Content.CaseId, ct))!;
        logger.CaseCreated(record.Id);
        return Redirect($"/cases/{Uri.EscapeDataString(record.CaseId)}");
    }
}
