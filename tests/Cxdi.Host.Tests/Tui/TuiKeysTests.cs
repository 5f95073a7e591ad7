using Cxdi.Host.Tui;
using Terminal.Gui.Input;

namespace Cxdi.Host.Tests.Tui;

public sealed class TuiKeysTests
{
    [Fact]
    public void C_OnTheMonitor_CancelsTheRun_WhateverViewHasTheFocus()
    {
        // Decided at the application level: the log list would eat the letter for its search-as-you-type.
        Assert.Equal(TuiAction.CancelRun, TuiKeys.ActionFor(Key.C, TuiScreen.Monitor, typing: false));
    }

    [Theory]
    [InlineData(TuiScreen.Browser)]
    [InlineData(TuiScreen.Editor)]
    [InlineData(TuiScreen.Preview)]
    [InlineData(TuiScreen.Results)]
    public void C_ElsewhereOrWhileTyping_IsLeftToTheFocusedView(TuiScreen screen)
    {
        Assert.Equal(TuiAction.None, TuiKeys.ActionFor(Key.C, screen, typing: false));
        Assert.Equal(TuiAction.None, TuiKeys.ActionFor(Key.C, TuiScreen.Monitor, typing: true));
    }

    [Fact]
    public void QuitKeys_QuitOrCancel_OnEveryScreen_EvenWhileTyping()
    {
        foreach (var screen in Enum.GetValues<TuiScreen>())
        {
            foreach (var typing in new[] { false, true })
            {
                Assert.Equal(TuiAction.Quit, TuiKeys.ActionFor(Key.F10, screen, typing));
                Assert.Equal(TuiAction.Quit, TuiKeys.ActionFor(Key.Q.WithCtrl, screen, typing));
                Assert.Equal(TuiAction.CancelOrQuit, TuiKeys.ActionFor(Key.C.WithCtrl, screen, typing));
                Assert.Equal(TuiAction.Browser, TuiKeys.ActionFor(Key.Esc, screen, typing));
            }
        }
    }

    [Fact]
    public void HelpKeys_MatchTheHelpText()
    {
        Assert.Equal(TuiAction.Help, TuiKeys.ActionFor(Key.F1, TuiScreen.Editor, typing: true));
        Assert.Equal(TuiAction.Help, TuiKeys.ActionFor((Key)'?', TuiScreen.Browser, typing: false));
        Assert.Equal(TuiAction.Edit, TuiKeys.ActionFor(Key.E, TuiScreen.Browser, typing: false));
        Assert.Equal(TuiAction.None, TuiKeys.ActionFor(Key.E, TuiScreen.Monitor, typing: false));
        Assert.Equal(TuiAction.Run, TuiKeys.ActionFor(Key.R, TuiScreen.Editor, typing: false));
        Assert.Equal(TuiAction.Run, TuiKeys.ActionFor(Key.F5, TuiScreen.Editor, typing: true));
        Assert.Equal(TuiAction.None, TuiKeys.ActionFor(Key.R, TuiScreen.Editor, typing: true));
        Assert.Equal(TuiAction.Monitor, TuiKeys.ActionFor(Key.F6, TuiScreen.Browser, typing: false));
        Assert.Equal(TuiAction.Preview, TuiKeys.ActionFor(Key.P, TuiScreen.Monitor, typing: false));
        Assert.Equal(TuiAction.None, TuiKeys.ActionFor(Key.P, TuiScreen.Editor, typing: false));
        Assert.Equal(TuiAction.Results, TuiKeys.ActionFor(Key.F8, TuiScreen.Preview, typing: false));
        Assert.Equal(TuiAction.OpenDirectory, TuiKeys.ActionFor(Key.O, TuiScreen.Results, typing: false));
        Assert.Equal(TuiAction.None, TuiKeys.ActionFor(Key.O, TuiScreen.Results, typing: true));
    }
}
