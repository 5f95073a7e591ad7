using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Cxdi.Host.Tests.Tui;

/// <summary>A fact that runs only where tmux is installed (CI installs it).</summary>
public sealed class TmuxFactAttribute : FactAttribute
{
    public TmuxFactAttribute()
    {
        if (!Tmux.IsAvailable)
        {
            Skip = "tmux is not installed";
        }
    }
}

/// <summary>Drives a tmux session: start a command in a fixed-size terminal, send keys, read the screen.</summary>
internal sealed class Tmux : IDisposable
{
    private readonly string _name = "cxdi-tui-" + Guid.NewGuid().ToString("N")[..8];

    public static bool IsAvailable
    {
        get
        {
            try
            {
                return Exec("-V").ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }
    }

    public void Start(string directory, string command, int width, int height)
    {
        var r = Exec("new-session", "-d", "-s", _name, "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", directory, command);
        Assert.True(r.ExitCode == 0, r.Output);
    }

    public void Keys(params string[] keys) => Exec(["send-keys", "-t", _name, .. keys]);

    public string Screen() => Exec("capture-pane", "-p", "-t", _name).Output;

    /// <summary>Waits until the screen satisfies <paramref name="condition"/>; fails with the last screen after <paramref name="seconds"/>.</summary>
    public string WaitFor(Func<string, bool> condition, string what, double seconds = 30)
    {
        var clock = Stopwatch.StartNew();
        var screen = "";
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            screen = Screen();
            if (condition(screen))
            {
                return screen;
            }

            Thread.Sleep(200);
        }

        Assert.Fail($"timed out waiting for {what}; the screen was:\n{screen}");
        return screen;
    }

    public void Dispose() => Exec("kill-session", "-t", _name);

    private static (int ExitCode, string Output) Exec(params string[] args)
    {
        var psi = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}

public sealed class TuiEndToEndTests(ITestOutputHelper output)
{
    [TmuxFact]
    public void Tui_OpensTheQuickstart_EditsAnOption_RunsIt_PreviewsTheAmplitude_AndQuits()
    {
        using var fx = new TuiFixture(runMs: 150);
        var cxdi = Path.Combine(AppContext.BaseDirectory, "cxdi.dll");
        using var tmux = new Tmux();
        tmux.Start(fx.Directory.FullName, $"dotnet '{cxdi}' --plugins '{TuiFixture.TestPluginDirectory}' tui examples/quickstart.yaml; echo TUI-EXIT=$?; sleep 30", 120, 40);

        // browser: the workflow validates
        tmux.WaitFor(s => s.Contains("quickstart  ✓ valid", StringComparison.Ordinal), "the browser");

        // editor: change the generator's size from 16 to 24 (validated at once)
        tmux.Keys("F3");
        tmux.WaitFor(s => s.Contains("input (test.gen)", StringComparison.Ordinal) && s.Contains("size = 16", StringComparison.Ordinal), "the editor");
        tmux.Keys("Enter");
        tmux.Keys("End", "BSpace", "BSpace", "BSpace", "BSpace");
        tmux.Keys("-l", "24");
        tmux.Keys("Enter");
        tmux.WaitFor(s => s.Contains("size = 24", StringComparison.Ordinal) && s.Contains("✓ workflow valid with input.with.size=24", StringComparison.Ordinal), "the edited, validated value");

        // run: every run ends kept or rejected
        tmux.Keys("F5");
        var monitor = tmux.WaitFor(s => s.Contains("quickstart: succeeded", StringComparison.Ordinal), "the run to finish");
        output.WriteLine(monitor);
        var rows = monitor.Split('\n').Where(l => Regex.IsMatch(l, @"^│\d+\s+█")).ToList();
        Assert.Equal(4, rows.Count);
        Assert.Single(rows, r => r.TrimEnd().EndsWith("kept │", StringComparison.Ordinal) || r.Contains(" kept ", StringComparison.Ordinal));
        Assert.Equal(3, rows.Count(r => r.Contains("rejected", StringComparison.Ordinal)));
        Assert.DoesNotContain(rows, r => r.Contains("running", StringComparison.Ordinal) || r.Contains("pending", StringComparison.Ordinal));

        // preview of the amplitude of the result, 24x24 after the edit
        tmux.Keys("F7");
        var preview = tmux.WaitFor(s => s.Contains("amplitude of", StringComparison.Ordinal), "the preview");
        output.WriteLine(preview);
        Assert.Contains("24x24 px", preview);
        Assert.Contains("▀", preview);

        // F10 with the edit unsaved asks first; "Save and quit" writes it to a new file
        tmux.Keys("F10");
        tmux.WaitFor(s => s.Contains("Unsaved edits", StringComparison.Ordinal) && s.Contains("1 unsaved edit(s)", StringComparison.Ordinal), "the unsaved-edits question");
        tmux.Keys("Left");
        tmux.Keys("Left");
        tmux.Keys("Enter");
        tmux.WaitFor(s => s.Contains("TUI-EXIT=0", StringComparison.Ordinal), "a clean exit");
        var saved = Path.Combine(fx.Directory.FullName, "examples", "quickstart.edited.yaml");
        Assert.True(File.Exists(saved), "Save and quit wrote no quickstart.edited.yaml");
        Assert.Contains("size: 24", File.ReadAllText(saved));
    }

    [TmuxFact]
    public void Tui_CKeyCancelsTheRun_AndF10AsksBeforeLosingEdits()
    {
        // 4 runs of 1.5 s: time to press c after the first one ends
        using var fx = new TuiFixture(runMs: 1500);
        var cxdi = Path.Combine(AppContext.BaseDirectory, "cxdi.dll");
        using var tmux = new Tmux();
        tmux.Start(fx.Directory.FullName, $"dotnet '{cxdi}' --plugins '{TuiFixture.TestPluginDirectory}' tui examples/quickstart.yaml; echo TUI-EXIT=$?; sleep 30", 120, 40);
        tmux.WaitFor(s => s.Contains("quickstart  ✓ valid", StringComparison.Ordinal), "the browser");

        // c on the monitor (the log list has the focus) cancels; the finished run is kept, the others are cancelled
        tmux.Keys("F5");
        tmux.WaitFor(s => s.Contains("quickstart: running", StringComparison.Ordinal) && s.Contains("kept 1", StringComparison.Ordinal), "the first run to end");
        tmux.Keys("c");
        var monitor = tmux.WaitFor(s => s.Contains("quickstart: cancelled", StringComparison.Ordinal), "the run to be cancelled by c", seconds: 15);
        output.WriteLine(monitor);
        Assert.Contains("cancelling… (finished runs are kept)", monitor);
        var rows = monitor.Split('\n').Where(l => Regex.IsMatch(l, @"^│\d+\s+[█░]")).ToList();
        Assert.Equal(4, rows.Count);
        Assert.Single(rows, r => r.Contains(" kept ", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("cancelled", StringComparison.Ordinal));

        // an unsaved edit: F10 asks, and the default button (Cancel) stays
        tmux.Keys("F3");
        tmux.WaitFor(s => s.Contains("input (test.gen)", StringComparison.Ordinal) && s.Contains("size = 16", StringComparison.Ordinal), "the editor");
        tmux.Keys("Enter");
        tmux.Keys("End", "BSpace", "BSpace", "BSpace", "BSpace");
        tmux.Keys("-l", "20");
        tmux.Keys("Enter");
        tmux.WaitFor(s => s.Contains("size = 20", StringComparison.Ordinal), "the edited value");
        tmux.Keys("F10");
        tmux.WaitFor(s => s.Contains("Unsaved edits", StringComparison.Ordinal), "the unsaved-edits question");
        tmux.Keys("Enter");
        var stayed = tmux.WaitFor(s => s.Contains("not quitting", StringComparison.Ordinal), "the TUI to stay");
        Assert.DoesNotContain("TUI-EXIT", stayed);

        // asked again, "Quit without saving" quits and writes nothing
        tmux.Keys("F10");
        tmux.WaitFor(s => s.Contains("Unsaved edits", StringComparison.Ordinal), "the unsaved-edits question again");
        tmux.Keys("Left");
        tmux.Keys("Enter");
        tmux.WaitFor(s => s.Contains("TUI-EXIT=0", StringComparison.Ordinal), "a clean exit");
        Assert.Equal(["quickstart.yaml"], Directory.GetFiles(Path.Combine(fx.Directory.FullName, "examples"), "*.yaml").Select(Path.GetFileName));
    }
}
