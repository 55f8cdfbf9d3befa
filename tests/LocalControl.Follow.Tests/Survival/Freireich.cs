namespace LocalControl.Follow.Tests.Survival;

/// <summary>Freireich 6-MP trial remission times in weeks (Gehan 1965; tests/data/survival/README.md).</summary>
internal static class Freireich
{
    public static readonly double[] SixMpWeeks = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35];
    public static readonly bool[] SixMpRelapse = [true, true, true, false, true, false, true, false, false, true, true, false, false, false, true, true, false, false, false, false, false];
    public static readonly double[] ControlWeeks = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23];
    public static readonly bool[] ControlRelapse = [.. Enumerable.Repeat(true, 21)];
}
