using System.Drawing;
using System.Globalization;
using System.Text;
using Cxdi.Sdk.Data;
using Terminal.Gui.Drawing;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;
using Attribute = Terminal.Gui.Drawing.Attribute;
using Color = Terminal.Gui.Drawing.Color;

namespace Cxdi.Host.Tui;

/// <summary>Draws a <see cref="PreviewImage"/> with '▀' cells: foreground = upper pixel, background = lower pixel, in true colour.</summary>
internal sealed class HalfBlockView : View
{
    private static readonly Rune UpperHalf = new('▀');

    /// <summary>The picture to draw (resampled to the viewport), or null for a hint.</summary>
    public PreviewImage? Image { get; set; }

    /// <summary>Text shown when there is no picture.</summary>
    public string Hint { get; set; } = "";

    /// <inheritdoc />
    protected override bool OnDrawingContent(DrawContext? context)
    {
        var vp = Viewport;
        SetAttribute(new Attribute(Color.White, Color.Black));
        for (var y = 0; y < vp.Height; y++)
        {
            Move(0, y);
            AddStr(new string(' ', vp.Width));
        }

        if (Image is null || vp.Width <= 0 || vp.Height <= 0)
        {
            Move(1, 1);
            AddStr(Hint);
            return true;
        }

        var fit = Preview.Fit(Image, vp.Width, vp.Height);
        for (var row = 0; row * 2 < fit.Height; row++)
        {
            Move(0, row);
            for (var x = 0; x < fit.Width; x++)
            {
                var upper = fit[x, row * 2];
                var lower = (row * 2) + 1 < fit.Height ? fit[x, (row * 2) + 1] : 0;
                SetAttribute(new Attribute(Rgb(upper), Rgb(lower)));
                AddRune(UpperHalf);
            }
        }

        return true;
    }

    private static Color Rgb(int rgb) => new((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff, 255);
}

/// <summary>The per-run table of the monitor: a text progress bar, cycle, LLK, free LLK, support and state per random start.</summary>
internal sealed class RunsView : View
{
    /// <summary>Rows to show.</summary>
    public IReadOnlyList<RunRow> Rows { get; set; } = [];

    /// <summary>Index of the first row shown.</summary>
    public int Scroll { get; set; }

    /// <inheritdoc />
    protected override bool OnDrawingContent(DrawContext? context)
    {
        var vp = Viewport;
        var normal = new Attribute(Color.White, Color.Black);
        SetAttribute(normal);
        for (var y = 0; y < vp.Height; y++)
        {
            Move(0, y);
            AddStr(new string(' ', vp.Width));
        }

        var barWidth = Math.Max(6, vp.Width - 62);
        Move(0, 0);
        SetAttribute(new Attribute(Color.BrightYellow, Color.Black));
        AddStr(Clip(string.Create(CultureInfo.InvariantCulture, $"{"run",-4}{"progress".PadRight(barWidth + 1)}{"cycle",-11}{"LLK",-11}{"free LLK",-11}{"support",-9}state"), vp.Width));
        Scroll = Math.Clamp(Scroll, 0, Math.Max(0, Rows.Count - (vp.Height - 1)));
        for (var i = 0; i + 1 < vp.Height && i + Scroll < Rows.Count; i++)
        {
            var r = Rows[i + Scroll];
            Move(0, i + 1);
            SetAttribute(normal);
            AddStr(string.Create(CultureInfo.InvariantCulture, $"{r.Index,-4}"));
            var filled = (int)Math.Round(r.Fraction * barWidth);
            SetAttribute(new Attribute(StateColour(r.State), Color.Black));
            AddStr(new string('█', filled) + new string('░', barWidth - filled) + " ");
            SetAttribute(normal);
            var cycle = r.CycleCount is { } n ? $"{r.Cycle}/{n}" : r.Cycle > 0 ? r.Cycle.ToString(CultureInfo.InvariantCulture) : "–";
            AddStr(Clip(string.Create(CultureInfo.InvariantCulture, $"{cycle,-11}{Num(r.Llk),-11}{Num(r.FreeLlk),-11}{(r.SupportSize?.ToString(CultureInfo.InvariantCulture) ?? "–"),-9}"), Math.Max(0, vp.Width - 5 - barWidth - 1)));
            SetAttribute(new Attribute(StateColour(r.State), Color.Black));
            AddStr(r.State.ToString().ToLowerInvariant());
        }

        return true;
    }

    /// <summary>Colour of a run state: green kept, grey rejected, red failed, yellow cancelled, cyan running.</summary>
    public static Color StateColour(RunState state) => state switch
    {
        RunState.Kept => Color.BrightGreen,
        RunState.Rejected => Color.Gray,
        RunState.Failed => Color.BrightRed,
        RunState.Cancelled => Color.Yellow,
        RunState.Running => Color.BrightCyan,
        RunState.Finished => Color.White,
        _ => Color.DarkGray,
    };

    private static string Num(double? v) => v is { } x ? x.ToString("G5", CultureInfo.InvariantCulture) : "–";

    private static string Clip(string s, int width) => s.Length <= width ? s : s[..Math.Max(0, width)];
}

/// <summary>Builds the LLK chart of the monitor on a <see cref="GraphView"/>: one line per run, log₁₀ LLK against cycle.</summary>
internal static class LlkChart
{
    /// <summary>Replaces the chart's content with <paramref name="runs"/>' histories scaled to the view.</summary>
    public static void Update(GraphView graph, IReadOnlyList<RunRow> runs)
    {
        graph.Series.Clear();
        graph.Annotations.Clear();
        var points = runs.SelectMany(r => r.History).Where(p => p.Llk > 0).ToList();
        var vp = graph.Viewport;
        if (points.Count < 2 || vp.Width < 12 || vp.Height < 4)
        {
            graph.SetNeedsDraw();
            return;
        }

        double xMax = points.Max(p => p.Cycle), yMin = Math.Log10(points.Min(p => p.Llk)), yMax = Math.Log10(points.Max(p => p.Llk));
        if (yMax - yMin < 1e-6)
        {
            yMax = yMin + 1;
        }

        graph.MarginLeft = 8;
        graph.MarginBottom = 1;
        var cols = Math.Max(1, vp.Width - (int)graph.MarginLeft - 1);
        var rows = Math.Max(1, vp.Height - (int)graph.MarginBottom - 1);
        graph.CellSize = new PointF((float)(Math.Max(1, xMax) / cols), (float)((yMax - yMin) / rows));
        graph.ScrollOffset = new PointF(0, (float)yMin);
        graph.AxisX.Increment = graph.CellSize.X * Math.Max(1, cols / 4);
        graph.AxisX.ShowLabelsEvery = 1;
        graph.AxisY.Increment = graph.CellSize.Y * Math.Max(1, rows / 3);
        graph.AxisY.ShowLabelsEvery = 1;
        graph.AxisY.LabelGetter = v => Math.Pow(10, v.Value).ToString("G3", CultureInfo.InvariantCulture);
        graph.AxisY.Text = "LLK";
        foreach (var run in runs.Where(r => r.History.Count > 1))
        {
            var colour = RunsView.StateColour(run.State);
            graph.Annotations.Add(new PathAnnotation
            {
                LineColor = new Attribute(colour, Color.Black),
                LineRune = new Rune(run.State == RunState.Kept ? '•' : '·'),
                Points = run.History.Where(p => p.Llk > 0).Select(p => new PointF(p.Cycle, (float)Math.Log10(p.Llk))).ToList(),
                BeforeSeries = false,
            });
        }

        graph.SetNeedsDraw();
    }
}
