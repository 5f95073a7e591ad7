using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Terminal.Gui.App;
using Terminal.Gui.Drivers;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Cxdi.Host.Tui;

/// <summary>
/// The terminal UI: workflow browser, workflow editor, run monitor, image preview and results browser, one screen at a time
/// in one window, driven from the keyboard (F1 help). A thin client of <see cref="TuiSession"/>; the UI thread never blocks:
/// runs go on a worker thread and their progress reports come back as objects, marshalled through <c>IApplication.Invoke</c>.
/// </summary>
public sealed class TuiApp
{
    private static readonly string HelpText = string.Join('\n', new[]
    {
        "F1 or ?    this help              F2        workflow browser",
        "F3 or e    edit the workflow      F5 or r   run it (with your edits)",
        "F6         run monitor            F7 or p   image preview",
        "F8         results browser        Ctrl+C    cancel the run, else quit",
        "F10/Ctrl+Q quit                   Tab       next pane;  Esc  browser",
        "",
        "Browser  up/down picks a workflow; problems show under their line.",
        "Editor   Left/Right: steps or options. Options: Enter edits, Enter",
        "         applies (validated at once), Del resets. Steps: Ctrl+N adds,",
        "         Del removes, Ctrl+Up/Down moves. Ctrl+S saves to a NEW file.",
        "         Quitting with unsaved edits asks: save, discard or stay.",
        "Monitor  c cancels; per run: progress, cycle, LLK, free LLK, state.",
        "Preview  a amplitude  h phase  s support  d diffraction  z zoom",
        "         PgUp/PgDn move through the slices of a 3D result.",
        "Results  o, type an output directory, Enter: summary.json digest.",
    }.Select(l => l.PadRight(72)));

    private readonly TuiSession _session;
    private readonly string? _path;
    private IApplication _app = null!;
    private Window _window = null!;
    private RunMonitorModel _monitor = null!;
    private IReadOnlyList<string> _files = [];
    private WorkflowEditorModel? _editor;
    private string? _resultsDirectory;
    private PreviewQuantity _quantity = PreviewQuantity.Amplitude;
    private bool _zoom = true;
    private int? _slice;

    // screens
    private View _browser = null!, _editorScreen = null!, _monitorScreen = null!, _previewScreen = null!, _resultsScreen = null!;
    private ListView _fileList = null!, _stepList = null!, _fieldList = null!, _logList = null!;
    private ListView _details = null!, _results = null!;
    private Label _editorHelp = null!, _monitorHeader = null!, _previewCaption = null!, _status = null!;
    private TextField _valueField = null!, _resultsPath = null!;
    private ProgressBar _overall = null!;
    private RunsView _runsView = null!;
    private GraphView _chart = null!;
    private HalfBlockView _picture = null!;

    /// <summary>Creates the UI over <paramref name="session"/>; <paramref name="path"/> is a workflow file or a directory of them, or null.</summary>
    public TuiApp(TuiSession session, string? path)
    {
        _session = session;
        _path = path;
    }

    /// <summary>Runs the UI until the user quits; the terminal is restored on exit, on Ctrl+C and on errors.</summary>
    public int Run()
    {
        using var app = Application.Create().Init();
        _app = app;
        _monitor = new RunMonitorModel(action => _app.Invoke(action), TimeProvider.System);
        _monitor.Changed += RefreshMonitor;
        _window = new Window { Title = "Cxdi Workbench", X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(1) };
        BuildBrowser();
        BuildEditor();
        BuildMonitor();
        BuildPreview();
        BuildResults();
        _status = new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1, Text = "" };
        var top = new Runnable { Width = Dim.Fill(), Height = Dim.Fill() };
        top.Add(_window, _status);
        _app.Keyboard.KeyDown += OnKey;
        _app.AddTimeout(TimeSpan.FromMilliseconds(500), () =>
        {
            if (_monitor.IsRunning)
            {
                RefreshHeader();
            }

            return true;
        });
        LoadFiles();
        Show(_browser);
        try
        {
            _app.Run(top);
        }
        finally
        {
            _monitor.Cancel();
            top.Dispose();
        }

        return 0;
    }

    private static void SetLines(ListView list, string text)
    {
        list.SetSource(new ObservableCollection<string>(text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n')));
        list.SelectedItem = 0;
    }

    private void SetStatus(string text)
    {
        _status.Text = text.Length > 0 ? " F1 help F10 quit │ " + text : " F1 help F2 flows F3 edit F5 run F6 monitor F7 preview F8 results F10 quit";
    }

    private void Show(View screen)
    {
        foreach (var s in new[] { _browser, _editorScreen, _monitorScreen, _previewScreen, _resultsScreen })
        {
            s.Visible = s == screen;
        }

        _window.Title = "Cxdi Workbench — " + (screen == _browser ? "workflows" : screen == _editorScreen ? "editor" : screen == _monitorScreen ? "run monitor" : screen == _previewScreen ? "preview" : "results");
        if (screen == _browser)
        {
            _fileList.SetFocus();
        }
        else if (screen == _editorScreen)
        {
            _fieldList.SetFocus();
        }
        else if (screen == _monitorScreen)
        {
            _logList.SetFocus();
        }
        else if (screen == _previewScreen)
        {
            _picture.SetFocus();
            RefreshPreview();
        }
        else
        {
            _results.SetFocus();
        }

        SetStatus("");
        _window.SetNeedsDraw();
    }

    private TuiScreen CurrentScreen =>
        _editorScreen.Visible ? TuiScreen.Editor
        : _monitorScreen.Visible ? TuiScreen.Monitor
        : _previewScreen.Visible ? TuiScreen.Preview
        : _resultsScreen.Visible ? TuiScreen.Results
        : TuiScreen.Browser;

    /// <summary>
    /// Application-level keys, seen before the focused view (<see cref="TuiKeys"/>): list views consume letters for their
    /// search-as-you-type, so screen letters (c on the monitor, o on the results) are handled here.
    /// </summary>
    private void OnKey(object? sender, Key key)
    {
        if (_app.TopRunnable is Dialog or Dialog<int>)
        {
            return; // dialogs (help, add step, quit with unsaved edits) handle their own keys
        }

        var typing = _app.Navigation?.GetFocused() is TextField;
        var screen = CurrentScreen;
        var action = TuiKeys.ActionFor(key, screen, typing);
        if (action == TuiAction.None)
        {
            key.Handled = screen == TuiScreen.Editor && !typing && EditorKey(key);
            return;
        }

        key.Handled = true;
        switch (action)
        {
            case TuiAction.CancelOrQuit when _monitor.IsRunning:
            case TuiAction.CancelRun:
                CancelRun();
                break;
            case TuiAction.CancelOrQuit:
            case TuiAction.Quit:
                Quit();
                break;
            case TuiAction.Help:
                MessageBox.Query(_app, "Help", HelpText, "OK");
                break;
            case TuiAction.Browser:
                Show(_browser);
                break;
            case TuiAction.Edit:
                OpenEditor();
                break;
            case TuiAction.Run:
                StartRun();
                break;
            case TuiAction.Monitor:
                Show(_monitorScreen);
                break;
            case TuiAction.Preview:
                Show(_previewScreen);
                break;
            case TuiAction.Results:
                OpenResults(_resultsDirectory ?? _monitor.OutputDirectory);
                break;
            case TuiAction.OpenDirectory:
                _resultsPath.SetFocus();
                break;
        }
    }

    private void CancelRun()
    {
        if (_monitor.IsRunning)
        {
            _monitor.Cancel();
            SetStatus("cancelling the run: finished random starts are kept");
        }
        else
        {
            SetStatus("no run is going");
        }
    }

    /// <summary>Quits (cancelling a run); with unsaved editor edits it asks first: save them to a new file, discard them, or stay.</summary>
    private void Quit()
    {
        if (_editor is { HasUnsavedEdits: true } editor)
        {
            var edits = editor.Sets.Count + (editor.HasStructuralEdits ? 1 : 0);
            var choice = MessageBox.Query(
                _app,
                "Unsaved edits",
                $"{Path.GetFileName(editor.File)} has {edits} unsaved edit(s){(editor.HasStructuralEdits ? " (steps added, removed or moved)" : "")}.\nSave them to a new file before quitting?",
                "Save and quit",
                "Quit without saving",
                "Cancel");
            if (choice == 0)
            {
                try
                {
                    editor.SaveAs();
                }
                catch (Exception e) when (e is CxdiException or IOException or UnauthorizedAccessException)
                {
                    SetStatus("✗ cannot save, not quitting: " + e.Message);
                    return;
                }
            }
            else if (choice != 1)
            {
                SetStatus("not quitting: Ctrl+S saves the edits to a new file");
                return;
            }
        }

        _monitor.Cancel();
        _app.RequestStop();
    }

    // ---------------------------------------------------------------- browser

    private void BuildBrowser()
    {
        _browser = new View { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        var left = new FrameView { Title = "Workflows", X = 0, Y = 0, Width = Dim.Percent(32), Height = Dim.Fill() };
        _fileList = new ListView { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill() };
        _fileList.ValueChanged += (_, _) => DescribeSelected();
        _fileList.Accepting += (_, e) =>
        {
            e.Handled = true;
            StartRun();
        };
        left.Add(_fileList);
        var right = new FrameView { Title = "Details (Enter/F5 run, e/F3 edit)", X = Pos.Right(left), Y = 0, Width = Dim.Fill(), Height = Dim.Fill() };
        _details = new ListView { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill() };
        right.Add(_details);
        _browser.Add(left, right);
        _window.Add(_browser);
    }

    private void LoadFiles()
    {
        _files = _session.Discover(_path);
        _fileList.SetSource(new ObservableCollection<string>(_files.Select(f => Path.GetFileName(f))));
        if (_files.Count > 0)
        {
            _fileList.SelectedItem = 0;
            DescribeSelected();
        }
        else
        {
            SetLines(_details, $"No workflow (*.yaml) found in {_path ?? _session.CurrentDirectory} or its examples/ folder.\nStart with: cxdi tui path/to/workflow.yaml");
        }
    }

    private string? SelectedFile => _fileList.SelectedItem is { } i && i >= 0 && i < _files.Count ? _files[i] : null;

    private void DescribeSelected()
    {
        if (SelectedFile is not { } file)
        {
            return;
        }

        var sets = _editor?.File == file ? _editor.Sets : [];
        var info = _editor?.File == file ? _editor.Info : _session.Describe(file, sets);
        SetLines(_details, Describe(info, sets));
    }

    /// <summary>The browser's text for a workflow: summary, then the YAML with each problem under its line.</summary>
    public static string Describe(WorkflowInfo info, IReadOnlyList<string> sets)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{info.Name}  {(info.IsValid ? "✓ valid" : $"✗ {info.Problems.Count} problem(s)")}");
        if (info.Description.Trim() is { Length: > 0 } description)
        {
            sb.AppendLine(description);
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"input:  {info.Input}");
        for (var i = 0; i < info.Steps.Count; i++)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"step {i + 1}: {info.Steps[i]}");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"output: {info.Output}");
        foreach (var s in sets)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"edit:   {s}");
        }

        var unplaced = info.Problems.Where(p => WorkflowInfo.LineOf(p, info.File) is null).ToList();
        foreach (var p in unplaced)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  ✗ {p.Where}: {p.Message}");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"── {Path.GetFileName(info.File)} ──");
        string[] lines;
        try
        {
            lines = File.ReadAllLines(info.File);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lines = [];
        }

        for (var n = 1; n <= lines.Length; n++)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{n,3} {lines[n - 1]}");
            foreach (var p in info.Problems.Where(p => WorkflowInfo.LineOf(p, info.File) == n))
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"    ^ ✗ {p.Message}");
            }
        }

        return sb.ToString();
    }

    // ---------------------------------------------------------------- editor

    private void BuildEditor()
    {
        _editorScreen = new View { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        var left = new FrameView { Title = "Steps (^N Del ^↑↓)", X = 0, Y = 0, Width = Dim.Percent(28), Height = Dim.Fill(5) };
        _stepList = new ListView { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill() };
        _stepList.ValueChanged += (_, _) => RefreshFields();
        _stepList.Accepting += (_, e) =>
        {
            e.Handled = true;
            _fieldList.SetFocus();
        };
        left.Add(_stepList);
        var right = new FrameView { Title = "Options (→ Enter edit, Del reset, ^S save new file)", X = Pos.Right(left), Y = 0, Width = Dim.Fill(), Height = Dim.Fill(5) };
        _fieldList = new ListView { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill() };
        _fieldList.ValueChanged += (_, _) => RefreshFieldHelp();
        _fieldList.Accepting += (_, e) =>
        {
            e.Handled = true;
            if (SelectedField is { } f)
            {
                _valueField.Text = f.Value;
                _valueField.SetFocus();
            }
        };
        _fieldList.KeyDown += (_, key) =>
        {
            if (key == Key.CursorLeft)
            {
                key.Handled = true;
                _stepList.SetFocus();
            }
            else if (key == Key.Delete && _editor is not null && SelectedField is { } f && _stepList.SelectedItem is { } s)
            {
                key.Handled = true;
                _editor.Reset(s, f.Spec.Key);
                RefreshFields();
            }
            else if (key == Key.S.WithCtrl)
            {
                key.Handled = true;
                SaveEdits();
            }
        };
        right.Add(_fieldList);
        var valueLabel = new Label { X = 0, Y = Pos.AnchorEnd(5), Text = "value:" };
        _valueField = new TextField { X = 7, Y = Pos.AnchorEnd(5), Width = Dim.Fill() };
        _valueField.KeyDown += (_, key) =>
        {
            if (key == Key.Enter)
            {
                key.Handled = true;
                ApplyValue();
            }
            else if (key == Key.S.WithCtrl)
            {
                key.Handled = true;
                SaveEdits();
            }
        };
        _editorHelp = new Label { X = 0, Y = Pos.AnchorEnd(4), Width = Dim.Fill(), Height = 4, Text = "" };
        _editorScreen.Add(left, right, valueLabel, _valueField, _editorHelp);
        _window.Add(_editorScreen);
    }

    private EditorField? SelectedField =>
        _editor is not null && _stepList.SelectedItem is { } s && s < _editor.Steps.Count && _fieldList.SelectedItem is { } f && _editor.Fields(s) is { } fields && f < fields.Count
            ? fields[f]
            : null;

    private void OpenEditor()
    {
        if (SelectedFile is not { } file)
        {
            SetStatus("choose a workflow first");
            return;
        }

        if (_editor?.File != file)
        {
            _editor = new WorkflowEditorModel(_session, file);
        }

        _stepList.SetSource(new ObservableCollection<string>(_editor.Steps.Select(s => s.Title)));
        if (_editor.Steps.Count > 0)
        {
            _stepList.SelectedItem = Math.Min(_stepList.SelectedItem ?? 0, _editor.Steps.Count - 1);
        }

        RefreshFields();
        Show(_editorScreen);
        if (_editor.Steps.Count == 0)
        {
            SetStatus("nothing to edit: " + string.Join("; ", _editor.Info.Problems.Select(p => p.Message)));
        }
    }

    /// <summary>Editor keys: ←/→ switch between steps and options; on the steps, Ctrl+N adds, Del removes, Ctrl+↑/↓ moves.</summary>
    private bool EditorKey(Key key)
    {
        var onSteps = _app.Navigation?.GetFocused() == _stepList;
        if (key == Key.CursorRight && onSteps)
        {
            _fieldList.SetFocus();
            return true;
        }

        if (key == Key.CursorLeft && _app.Navigation?.GetFocused() == _fieldList)
        {
            _stepList.SetFocus();
            return true;
        }

        if (_editor is null || !onSteps || _stepList.SelectedItem is not { } s)
        {
            return false;
        }

        if (key == Key.CursorUp.WithCtrl || key == Key.CursorDown.WithCtrl)
        {
            var delta = key == Key.CursorUp.WithCtrl ? -1 : 1;
            if (_editor.MoveStep(s, delta))
            {
                RefreshSteps(s + delta);
            }

            return true;
        }

        if (key == Key.Delete)
        {
            if (_editor.RemoveStep(s))
            {
                RefreshSteps(s - 1);
            }
            else
            {
                SetStatus("the input cannot be removed");
            }

            return true;
        }

        if (key == Key.N.WithCtrl)
        {
            if (ChooseStepPlugin() is { } id)
            {
                _editor.AddStep(s, id);
                RefreshSteps(s + 1);
            }

            return true;
        }

        return false;
    }

    private void RefreshSteps(int select)
    {
        if (_editor is null)
        {
            return;
        }

        _stepList.SetSource(new ObservableCollection<string>(_editor.Steps.Select(s => s.Title)));
        if (_editor.Steps.Count > 0)
        {
            _stepList.SelectedItem = Math.Clamp(select, 0, _editor.Steps.Count - 1);
        }

        RefreshFields();
        DescribeSelected();
        SetStatus(_editor.Info.IsValid ? "✓ valid (unsaved: Ctrl+S writes a new file)" : "✗ " + _editor.Info.Problems[0]);
    }

    private string? ChooseStepPlugin()
    {
        var ids = _editor?.StepPlugins ?? [];
        if (ids.Count == 0)
        {
            return null;
        }

        string? chosen = null;
        using var dialog = new Dialog { Title = "Add a step (Enter picks, Esc cancels)", Width = Dim.Percent(60), Height = Dim.Percent(60) };
        var list = new ListView { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill() };
        list.SetSource(new ObservableCollection<string>(ids.Select(id => $"{id}  {_session.Catalog.Find(id)?.Description}")));
        list.SelectedItem = 0;
        list.Accepting += (_, e) =>
        {
            e.Handled = true;
            chosen = list.SelectedItem is { } i ? ids[i] : null;
            dialog.RequestStop();
        };
        dialog.Add(list);
        _app.Run(dialog);
        return chosen;
    }

    private void RefreshFields()
    {
        if (_editor is null || _stepList.SelectedItem is not { } s || s >= _editor.Steps.Count)
        {
            _fieldList.SetSource(new ObservableCollection<string>());
            return;
        }

        var keep = _fieldList.SelectedItem ?? 0;
        var fields = _editor.Fields(s);
        _fieldList.SetSource(new ObservableCollection<string>(fields.Select(f =>
            $"{(f.Problem is null ? " " : "✗")}{(f.IsSet ? "*" : " ")} {f.Spec.Key} = {f.Value}{(f.Spec.Unit is { } u ? " " + u : "")}")));
        if (fields.Count > 0)
        {
            _fieldList.SelectedItem = Math.Min(keep, fields.Count - 1);
        }

        RefreshFieldHelp();
    }

    private void RefreshFieldHelp()
    {
        if (SelectedField is not { } f)
        {
            _editorHelp.Text = _editor is { Info.Problems.Count: > 0 } ? "✗ " + _editor.Info.Problems[0] : "";
            return;
        }

        var text = $"{f.Spec.Key} ({f.Spec.TypeName}{(f.Spec.Unit is { } u ? ", " + u : "")}; default {Cli.Commands.Show(f.Spec.Default)}): {f.Spec.Description}";
        if (f.Problem is not null)
        {
            text = "✗ " + f.Problem + "\n" + text;
        }
        else if (_editor!.Info.IsValid)
        {
            text = "✓ workflow valid" + (_editor.Sets.Count > 0 ? " with " + string.Join(", ", _editor.Sets) : "") + "\n" + text;
        }
        else
        {
            text = "✗ " + _editor.Info.Problems[0] + "\n" + text;
        }

        _editorHelp.Text = text;
    }

    private void ApplyValue()
    {
        if (_editor is null || SelectedField is not { } f || _stepList.SelectedItem is not { } s)
        {
            return;
        }

        _editor.SetValue(s, f.Spec.Key, _valueField.Text ?? "");
        RefreshFields();
        DescribeSelected();
        _fieldList.SetFocus();
        SetStatus(SelectedField?.Problem is { } p ? "✗ " + p : $"{f.Spec.Key} = {_valueField.Text}");
    }

    private void SaveEdits()
    {
        if (_editor is null)
        {
            return;
        }

        try
        {
            SetStatus("saved to " + _editor.SaveAs());
        }
        catch (Exception e) when (e is CxdiException or IOException or UnauthorizedAccessException)
        {
            SetStatus("✗ cannot save: " + e.Message);
        }
    }

    // ---------------------------------------------------------------- run monitor

    private void BuildMonitor()
    {
        _monitorScreen = new View { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        _monitorHeader = new Label { X = 0, Y = 0, Width = Dim.Fill(), Height = 1, Text = "no run yet: choose a workflow and press F5" };
        _overall = new ProgressBar { X = 0, Y = 1, Width = Dim.Fill(), Height = 1, Fraction = 0 };
        _runsView = new RunsView { X = 0, Y = 2, Width = Dim.Fill(), Height = 2 };
        var chartTitle = new Label { X = 0, Y = Pos.Bottom(_runsView), Width = Dim.Fill(), Height = 1, Text = "LLK against cycle (log scale; green kept, grey rejected, cyan running)" };
        _chart = new GraphView { X = 0, Y = Pos.Bottom(chartTitle), Width = Dim.Fill(), Height = Dim.Percent(30) };
        var logFrame = new FrameView { Title = "Log (c cancels)", X = 0, Y = Pos.Bottom(_chart), Width = Dim.Fill(), Height = Dim.Fill() };
        _logList = new ListView { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill() };
        logFrame.Add(_logList);
        _monitorScreen.Add(_monitorHeader, _overall, _runsView, chartTitle, _chart, logFrame);
        _window.Add(_monitorScreen);
    }

    private void StartRun()
    {
        if (_monitor.IsRunning)
        {
            Show(_monitorScreen);
            SetStatus("a run is going; c or Ctrl+C cancels it");
            return;
        }

        if (SelectedFile is not { } file)
        {
            SetStatus("choose a workflow first");
            return;
        }

        var sets = _editor?.File == file ? _editor.Sets : [];
        WorkflowInfo info;
        if (_editor?.File == file)
        {
            _editor.Revalidate();
            info = _editor.Info;
        }
        else
        {
            info = _session.Describe(file, sets);
        }

        if (!info.IsValid || info.Plan is not { } plan)
        {
            Show(_browser);
            SetLines(_details, Describe(info, sets));
            SetStatus($"✗ {info.Problems.Count} problem(s): fix them before running");
            return;
        }

        _resultsDirectory = plan.OutputDirectory;
        _slice = null;
        _ = _monitor.Start(info.Name, plan.OutputDirectory, (writer, progress, token) => _session.Run(plan, writer, progress, token));
        Show(_monitorScreen);
    }

    private void RefreshMonitor()
    {
        RefreshHeader();
        _overall.Fraction = (float)_monitor.Fraction;
        _runsView.Rows = _monitor.Runs;
        // as many rows as there are runs, up to a third of the screen (the table scrolls to the running ones beyond that)
        var maxRows = Math.Max(3, _monitorScreen.Viewport.Height / 3);
        _runsView.Height = Math.Clamp(_monitor.Runs.Count + 1, 2, maxRows);
        var firstActive = _monitor.Runs.FindIndex(r => !r.IsFinished);
        _runsView.Scroll = firstActive < 0 ? 0 : Math.Max(0, firstActive - 1);
        _runsView.SetNeedsDraw();
        LlkChart.Update(_chart, _monitor.Runs);
        var log = _monitor.Log;
        _logList.SetSource(new ObservableCollection<string>(log.Skip(Math.Max(0, log.Count - 500))));
        if (_logList.Source?.Count is > 0 and var n)
        {
            _logList.SelectedItem = n - 1;
            _logList.EnsureSelectedItemVisible();
        }

        if (!_monitor.IsRunning && _monitor.Outcome is not null && _previewScreen.Visible)
        {
            RefreshPreview();
        }
    }

    private void RefreshHeader()
    {
        var m = _monitor;
        var kept = m.Runs.Count(r => r.State == RunState.Kept);
        var rejected = m.Runs.Count(r => r.State == RunState.Rejected);
        _monitorHeader.Text = m.Status == MonitorStatus.Idle
            ? "no run yet: choose a workflow and press F5"
            : string.Create(CultureInfo.InvariantCulture, $"{m.Workflow}: {m.Status.ToString().ToLowerInvariant()}  runs {m.Runs.Count} (kept {kept}, rejected {rejected})  elapsed {RunMonitorModel.FormatTime(m.Elapsed)}  left {RunMonitorModel.FormatTime(m.Remaining)}  [{m.CurrentStep}]");
        _monitorHeader.SetNeedsDraw();
    }

    // ---------------------------------------------------------------- preview

    private void BuildPreview()
    {
        _previewScreen = new View { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        _previewCaption = new Label { X = 0, Y = 0, Width = Dim.Fill(), Height = 1, Text = "" };
        _picture = new HalfBlockView { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true, Hint = "no result yet: run a workflow (F5)" };
        _picture.KeyDown += (_, key) =>
        {
            var handled = true;
            if (key == Key.A)
            {
                _quantity = PreviewQuantity.Amplitude;
            }
            else if (key == Key.H)
            {
                _quantity = PreviewQuantity.Phase;
            }
            else if (key == Key.S)
            {
                _quantity = PreviewQuantity.Support;
            }
            else if (key == Key.D)
            {
                _quantity = PreviewQuantity.Diffraction;
            }
            else if (key == Key.Z)
            {
                _zoom = !_zoom;
            }
            else if (key == Key.PageUp || key == Key.PageDown)
            {
                if (_monitor.Outcome?.Result is ReconstructionSet set && set.Shape.Is3D)
                {
                    _slice = Math.Clamp((_slice ?? (set.Shape.Nz / 2)) + (key == Key.PageUp ? -1 : 1), 0, set.Shape.Nz - 1);
                }
            }
            else
            {
                handled = false;
            }

            if (handled)
            {
                key.Handled = true;
                RefreshPreview();
            }
        };
        _previewScreen.Add(_previewCaption, _picture);
        _window.Add(_previewScreen);
    }

    private void RefreshPreview()
    {
        var image = _monitor.Outcome?.Result is ReconstructionSet set ? Preview.Of(set, _quantity, _zoom, _slice) : null;
        _picture.Image = image;
        _previewCaption.Text = image is null
            ? (_monitor.IsRunning ? "the run is going; the preview shows its result when it ends" : $"nothing to show for {_quantity.ToString().ToLowerInvariant()}")
            : $"{image.Caption}   [a]mplitude p[h]ase [s]upport [d]iffraction [z]oom PgUp/PgDn slice";
        _picture.SetNeedsDraw();
        _previewCaption.SetNeedsDraw();
    }

    // ---------------------------------------------------------------- results

    private void BuildResults()
    {
        _resultsScreen = new View { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        var label = new Label { X = 0, Y = 0, Text = "output dir:" };
        _resultsPath = new TextField { X = 12, Y = 0, Width = Dim.Fill() };
        _resultsPath.KeyDown += (_, key) =>
        {
            if (key == Key.Enter)
            {
                key.Handled = true;
                OpenResults(_resultsPath.Text);
            }
        };
        _results = new ListView { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill() };
        _resultsScreen.Add(label, _resultsPath, _results);
        _window.Add(_resultsScreen);
    }

    private void OpenResults(string? directory)
    {
        Show(_resultsScreen);
        if (string.IsNullOrWhiteSpace(directory))
        {
            SetLines(_results, "No output directory yet: run a workflow, or press o and type one.");
            _resultsPath.SetFocus();
            return;
        }

        var full = Path.GetFullPath(Path.Combine(_session.CurrentDirectory, directory));
        _resultsDirectory = full;
        _resultsPath.Text = full;
        SetLines(_results, ResultsText(full));
    }

    /// <summary>A digest of an output directory: summary.json (status, runs, PRTF) and the files written.</summary>
    public static string ResultsText(string directory)
    {
        var sb = new StringBuilder();
        var summary = Path.Combine(directory, "summary.json");
        if (!File.Exists(summary))
        {
            return $"{directory}: no summary.json here (not a cxdi output directory, or the run has not finished).";
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(summary));
            var root = json.RootElement;
            string S(JsonElement e, string name) => !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? "–"
                : v.ValueKind == JsonValueKind.Number ? v.GetDouble().ToString("G5", CultureInfo.InvariantCulture)
                : v.ToString();
            sb.AppendLine(CultureInfo.InvariantCulture, $"{S(root, "workflow")}: {S(root, "status")} in {S(root, "seconds")} s (exit {S(root, "exit_code")})  {S(root, "message")}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"command: {S(root, "command")}");
            if (root.TryGetProperty("prtf_cutoff", out var cutoff) && cutoff.ValueKind == JsonValueKind.Number)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"PRTF cutoff: {cutoff.GetDouble():F3} × Nyquist");
            }

            if (root.TryGetProperty("runs", out var runs) && runs.ValueKind == JsonValueKind.Array)
            {
                sb.AppendLine("run  state     LLK         free LLK    support   seconds");
                foreach (var r in runs.EnumerateArray())
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"{S(r, "index"),-4} {S(r, "state"),-9} {S(r, "llk"),-11} {S(r, "free_llk"),-11} {S(r, "support_size"),-9} {S(r, "seconds")}");
                }
            }

            if (root.TryGetProperty("steps", out var steps) && steps.ValueKind == JsonValueKind.Array)
            {
                sb.AppendLine("steps:");
                foreach (var s in steps.EnumerateArray())
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"  {S(s, "id")} ({S(s, "plugin")}) {S(s, "status")} {S(s, "seconds")} s {S(s, "message")}");
                }
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"cannot read {summary}: {e.Message}");
        }

        sb.AppendLine("files:");
        foreach (var f in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {Path.GetFileName(f),-40} {new FileInfo(f).Length,12:N0} bytes");
        }

        return sb.ToString();
    }
}
