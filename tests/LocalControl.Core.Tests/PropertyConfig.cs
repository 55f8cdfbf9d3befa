using System.Globalization;
using FsCheck;
using Microsoft.FSharp.Core;

namespace LocalControl.Core.Tests;

/// <summary>
/// FsCheck configuration with a fixed seed: property tests are deterministic and a failure replays identically.
/// For a longer hunt, set LC_PROPERTY_SEED (any number) and LC_PROPERTY_RUNS_FACTOR (e.g. 50).
/// </summary>
internal static class PropertyConfig
{
    public static Config Seeded(int maxTest, ulong seed = 20261127)
    {
        if (ulong.TryParse(Environment.GetEnvironmentVariable("LC_PROPERTY_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s))
        {
            seed = s;
        }

        if (int.TryParse(Environment.GetEnvironmentVariable("LC_PROPERTY_RUNS_FACTOR"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var f) && f > 0)
        {
            maxTest *= f;
        }

        return Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
    }
}
