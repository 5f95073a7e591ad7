using Terminal.Gui.Input;

namespace Cxdi.Host.Tui;

/// <summary>The screens of the terminal UI, one shown at a time.</summary>
public enum TuiScreen
{
    /// <summary>Workflow browser.</summary>
    Browser,

    /// <summary>Workflow editor.</summary>
    Editor,

    /// <summary>Run monitor.</summary>
    Monitor,

    /// <summary>Image preview.</summary>
    Preview,

    /// <summary>Results browser.</summary>
    Results,
}

/// <summary>What a key does at the application level, whatever view has the focus.</summary>
public enum TuiAction
{
    /// <summary>Nothing here: the focused view (or the editor's own keys) gets the key.</summary>
    None,

    /// <summary>Show the help.</summary>
    Help,

    /// <summary>Go to the workflow browser.</summary>
    Browser,

    /// <summary>Open the workflow editor.</summary>
    Edit,

    /// <summary>Run the selected workflow (with the editor's edits).</summary>
    Run,

    /// <summary>Go to the run monitor.</summary>
    Monitor,

    /// <summary>Go to the image preview.</summary>
    Preview,

    /// <summary>Open the results browser.</summary>
    Results,

    /// <summary>Type an output directory in the results browser.</summary>
    OpenDirectory,

    /// <summary>Cancel the run (finished random starts are kept).</summary>
    CancelRun,

    /// <summary>Cancel the run when one is going, else quit.</summary>
    CancelOrQuit,

    /// <summary>Quit (asking first when the editor holds unsaved edits).</summary>
    Quit,
}

/// <summary>
/// The application-level key map. It is consulted before the focused view sees a key: a list view consumes letters for
/// its search-as-you-type, so a letter command bound on the list itself (such as <c>c</c> on the monitor's log) never fires.
/// </summary>
public static class TuiKeys
{
    /// <summary>The action of <paramref name="key"/> on <paramref name="screen"/>; letters act only while no text field has the focus (<paramref name="typing"/> false).</summary>
    public static TuiAction ActionFor(Key key, TuiScreen screen, bool typing)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key == Key.C.WithCtrl)
        {
            return TuiAction.CancelOrQuit;
        }

        if (key == Key.F10 || key == Key.Q.WithCtrl)
        {
            return TuiAction.Quit;
        }

        if (key == Key.Esc)
        {
            return TuiAction.Browser; // Esc goes back to the browser instead of quitting (F10 quits)
        }

        return key switch
        {
            _ when key == Key.F1 => TuiAction.Help,
            _ when key == Key.F2 => TuiAction.Browser,
            _ when key == Key.F3 => TuiAction.Edit,
            _ when key == Key.F5 => TuiAction.Run,
            _ when key == Key.F6 => TuiAction.Monitor,
            _ when key == Key.F7 => TuiAction.Preview,
            _ when key == Key.F8 => TuiAction.Results,
            _ when typing => TuiAction.None,
            _ when key == (Key)'?' => TuiAction.Help,
            _ when key == Key.E && screen == TuiScreen.Browser => TuiAction.Edit,
            _ when key == Key.R && screen is TuiScreen.Browser or TuiScreen.Editor => TuiAction.Run,
            _ when key == Key.P && screen != TuiScreen.Editor => TuiAction.Preview,
            _ when key == Key.C && screen == TuiScreen.Monitor => TuiAction.CancelRun,
            _ when key == Key.O && screen == TuiScreen.Results => TuiAction.OpenDirectory,
            _ => TuiAction.None,
        };
    }
}
