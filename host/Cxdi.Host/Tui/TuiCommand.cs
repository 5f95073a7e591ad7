using System.CommandLine;
using Cxdi.Host.Cli;

namespace Cxdi.Host.Tui;

/// <summary>The <c>cxdi tui [DIR | FLOW.yaml]</c> sub-command.</summary>
public static class TuiCommand
{
    /// <summary>Creates the command; its action runs <see cref="TuiApp"/> over the same catalog and services as the other commands.</summary>
    public static Command Create(CommandContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var path = new Argument<string?>("PATH") { Description = "A workflow file, or a directory of workflows (default: the current directory and examples/)", Arity = ArgumentArity.ZeroOrOne };
        var backend = new Option<string?>("--backend") { Description = "Compute backend id (default: CXDI_BACKEND, else the best available)", HelpName = "ID" };
        var command = new Command("tui", "Terminal UI: browse, edit and run workflows, watch the runs, preview the images, browse results") { path, backend };
        command.SetAction(parse =>
        {
            if (Console.IsInputRedirected || Console.IsOutputRedirected)
            {
                ctx.Error.WriteLine("cxdi: error: cxdi tui needs an interactive terminal (use cxdi run in scripts)");
                return 2;
            }

            var session = new TuiSession(ctx.Catalog, ctx.Environment.CurrentDirectory, parse.GetValue(backend) ?? ctx.Environment.Variable(CliEnvironment.BackendVariable), ctx.CommandLine);
            return new TuiApp(session, parse.GetValue(path)).Run();
        });
        return command;
    }
}
