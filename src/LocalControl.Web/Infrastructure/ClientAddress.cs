using System.Net;
using System.Net.Sockets;

namespace LocalControl.Web.Infrastructure;

/// <summary>The client's address for throttling and the audit (after the forwarded-headers middleware has run).</summary>
internal static class ClientAddress
{
    /// <summary>A sign-in or first-run setup form post: the requests the per-address limiter counts.</summary>
    public static bool IsSignInAttempt(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method) &&
        (context.Request.Path.Equals("/account/login", StringComparison.OrdinalIgnoreCase) ||
         context.Request.Path.Equals("/account/setup", StringComparison.OrdinalIgnoreCase));

    /// <summary>The address as text ("unknown" when the server has none, e.g. in-memory tests).</summary>
    public static string Of(HttpContext context)
    {
        var ip = context.Connection.RemoteIpAddress;
        return ip is null ? "unknown" : (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString();
    }

    /// <summary>The limiter's key: the IPv4 address, or the /64 an IPv6 address is in (one host usually holds a whole /64).</summary>
    public static string Partition(HttpContext context)
    {
        var ip = context.Connection.RemoteIpAddress;
        if (ip is null)
        {
            return "unknown";
        }
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }
        if (ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return ip.ToString();
        }
        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
