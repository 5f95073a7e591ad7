using Cxdi.Host.Tui;

namespace Cxdi.Host.Tests.Tui;

public sealed class WorkflowEditorModelTests
{
    [Fact]
    public void Fields_ComeFromThePluginOptionsWithWrittenValuesAndDefaults()
    {
        using var fx = new TuiFixture();
        var editor = new WorkflowEditorModel(fx.Session, fx.Workflow);
        Assert.Equal(["input (test.gen)", "phase (test.phaser)"], editor.Steps.Select(s => s.Title));
        var input = editor.Fields(0);
        Assert.Equal(["size", "nan_pixels", "beamstop"], input.Select(f => f.Spec.Key));
        Assert.Equal(("16", true), (input[0].Value, input[0].IsSet));
        Assert.Equal(("0", false), (input[1].Value, input[1].IsSet));
        Assert.Equal("integer", input[0].Spec.TypeName);
        var phase = editor.Fields(1);
        Assert.Equal("4", phase.Single(f => f.Spec.Key == "runs").Value);
        Assert.Equal("100", phase.Single(f => f.Spec.Key == "seed").Value);
        Assert.All(input.Concat(phase), f => Assert.Null(f.Problem));
        Assert.True(editor.Info.IsValid);
    }

    [Fact]
    public void SetValue_ValidatesAsYouType_AndAProblemStaysOnItsField()
    {
        using var fx = new TuiFixture();
        var editor = new WorkflowEditorModel(fx.Session, fx.Workflow);
        editor.SetValue(1, "runs", "many");
        var runs = editor.Fields(1).Single(f => f.Spec.Key == "runs");
        Assert.Equal("many", runs.Value);
        Assert.NotNull(runs.Problem);
        Assert.Contains("runs", runs.Problem);
        Assert.False(editor.Info.IsValid);
        Assert.All(editor.Fields(0), f => Assert.Null(f.Problem));

        editor.SetValue(1, "runs", "2");
        Assert.Null(editor.Fields(1).Single(f => f.Spec.Key == "runs").Problem);
        Assert.True(editor.Info.IsValid);
        Assert.Equal(["steps.phase.with.runs=2"], editor.Sets);
        Assert.Equal(2, editor.Info.Plan!.Steps[0].Options.Resolved["runs"]);

        editor.Reset(1, "runs");
        Assert.Empty(editor.Sets);
        Assert.Equal("4", editor.Fields(1).Single(f => f.Spec.Key == "runs").Value);
    }

    [Fact]
    public void SaveAs_WritesANewFileWithTheEdit_AndLeavesTheOriginalUntouched()
    {
        using var fx = new TuiFixture();
        var original = File.ReadAllText(fx.Workflow);
        var editor = new WorkflowEditorModel(fx.Session, fx.Workflow);
        editor.SetValue(0, "size", "24");
        var saved = editor.SaveAs();
        Assert.Equal(Path.Combine(Path.GetDirectoryName(fx.Workflow)!, "quickstart.edited.yaml"), saved);
        Assert.Equal(original, File.ReadAllText(fx.Workflow));
        Assert.Contains("# keep it tiny", original);

        // the new file validates on its own and carries the edit; saving again picks a fresh name
        var reopened = new WorkflowEditorModel(fx.Session, saved);
        Assert.True(reopened.Info.IsValid, string.Join("; ", reopened.Info.Problems));
        Assert.Equal("24", reopened.Fields(0)[0].Value);
        Assert.Equal(4, reopened.Info.Plan!.Steps[0].Options.Resolved["runs"]);
        Assert.EndsWith("quickstart.edited2.yaml", editor.SaveAs(), StringComparison.Ordinal);
        Assert.Throws<Host.UsageException>(() => editor.SaveAs(fx.Workflow));
    }
}

public sealed class WorkflowEditorStructureTests
{
    [Fact]
    public void HasUnsavedEdits_AfterAnEdit_UntilSavedOrUndone()
    {
        using var fx = new TuiFixture();
        var editor = new WorkflowEditorModel(fx.Session, fx.Workflow);
        Assert.False(editor.HasUnsavedEdits);

        editor.SetValue(0, "size", "24");
        Assert.True(editor.HasUnsavedEdits);
        editor.Reset(0, "size");
        Assert.False(editor.HasUnsavedEdits); // back to the file as opened

        editor.SetValue(1, "runs", "2");
        editor.SaveAs();
        Assert.False(editor.HasUnsavedEdits);
        editor.SetValue(1, "runs", "3");
        Assert.True(editor.HasUnsavedEdits);
        editor.SetValue(1, "runs", "2");
        Assert.False(editor.HasUnsavedEdits); // what was saved

        editor.AddStep(0, "test.scale");
        Assert.True(editor.HasUnsavedEdits);
        editor.SaveAs();
        Assert.False(editor.HasUnsavedEdits);
    }

    [Fact]
    public void AddMoveRemoveSteps_AreValidatedAndSavedToANewFile()
    {
        using var fx = new TuiFixture();
        var original = File.ReadAllText(fx.Workflow);
        var editor = new WorkflowEditorModel(fx.Session, fx.Workflow);
        Assert.Contains("test.scale", editor.StepPlugins);
        Assert.DoesNotContain("test.gen", editor.StepPlugins);

        // add a scale step after the phaser: a detector-space step cannot follow phasing
        editor.AddStep(1, "test.scale");
        Assert.True(editor.HasStructuralEdits);
        Assert.Equal(["input (test.gen)", "phase (test.phaser)", "test.scale"], editor.Steps.Select(s => s.Title));
        Assert.False(editor.Info.IsValid);
        Assert.All(editor.Info.Problems, p => Assert.DoesNotContain(".draft.yaml", p.Where));

        // move it before the phaser: valid again, and its options get a form
        Assert.True(editor.MoveStep(2, -1));
        Assert.Equal(["input (test.gen)", "test.scale", "phase (test.phaser)"], editor.Steps.Select(s => s.Title));
        Assert.True(editor.Info.IsValid, string.Join("; ", editor.Info.Problems));
        Assert.Equal("factor", editor.Fields(1)[0].Spec.Key);
        editor.SetValue(1, "factor", "3");
        Assert.False(editor.MoveStep(1, -1)); // not above the input
        Assert.False(editor.RemoveStep(0));

        var saved = editor.SaveAs();
        Assert.Equal(original, File.ReadAllText(fx.Workflow));
        var reopened = new WorkflowEditorModel(fx.Session, saved);
        Assert.Equal(["input (test.gen)", "test.scale", "phase (test.phaser)"], reopened.Steps.Select(s => s.Title));
        Assert.Equal("3", reopened.Fields(1).Single(f => f.Spec.Key == "factor").Value);
        Assert.True(reopened.Info.IsValid);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(fx.Workflow)!, "*.draft.yaml", SearchOption.TopDirectoryOnly).Concat(Directory.GetFiles(Path.GetDirectoryName(fx.Workflow)!, ".*")));

        // removing the phaser leaves a valid preprocessing-only workflow
        Assert.True(reopened.RemoveStep(2));
        Assert.Equal(["input (test.gen)", "test.scale"], reopened.Steps.Select(s => s.Title));
        Assert.True(reopened.Info.IsValid, string.Join("; ", reopened.Info.Problems));
    }
}
