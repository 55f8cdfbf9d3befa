namespace LocalControl.Web.Infrastructure;

/// <summary>Response headers that keep the pages from being framed, sniffed or from loading anything from elsewhere.</summary>
internal static class SecurityHeaders
{
    // Everything is served from this origin: no CDN, no inline script.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    public static Task Add(HttpContext context, Func<Task> next)
    {
        var h = context.Response.Headers;
        h.ContentSecurityPolicy = ContentSecurityPolicy;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        return next();
    }
}
