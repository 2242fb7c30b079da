using AeroSnapshot.Fast;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AeroSnapshot.Cli.Output;

/// <summary>
/// A progress bar (bytes, MB/s, ETA) on stderr for long copies and verifications, drawn only when
/// <see cref="CliOutput.ShowProgress"/> allows it. The callback the library calls does nothing
/// but store numbers: it runs inside the write pause, and Spectre redraws on its own thread.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/>, giving it a progress callback, or null when no bar is shown.</summary>
    public static T Run<T>(CliOutput output, string title, Func<Action<SnapshotProgress>?, T> work)
    {
        if (!output.ShowProgress)
        {
            return work(null);
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
        });

        return console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new BytesColumn(),
                new RateColumn(),
                new RemainingTimeColumn())
            .Start(context => work(new Tracker(context, title).Report));
    }

    /// <summary>Done / total in the same binary units as the rest of the tool's output (Spectre's own column says "MB" for MiB).</summary>
    private sealed class BytesColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
            => new Text($"{ByteSize.Format((long)task.Value)} / {ByteSize.Format((long)task.MaxValue)}");
    }

    /// <summary>Throughput in decimal MB/s, the unit disks are rated in, as in the summaries.</summary>
    private sealed class RateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
            => new Text(task.Speed is { } bytesPerSecond ? Human.Rate(bytesPerSecond / 1e6) : "-");
    }

    /// <summary>
    /// One bar per pass: commands that verify several snapshots (newest, prune, list --verify)
    /// get a fresh bar each time the byte count starts over.
    /// </summary>
    private sealed class Tracker(ProgressContext context, string title)
    {
        private ProgressTask? _task;
        private long _lastDone;
        private long _lastTotal;
        private string? _lastFile;

        public void Report(SnapshotProgress progress)
        {
            if (_task is null || progress.BytesDone < _lastDone || progress.BytesTotal != _lastTotal)
            {
                _task?.StopTask();
                _task = context.AddTask(Label(progress.CurrentFile), autoStart: true, maxValue: Math.Max(progress.BytesTotal, 1));
                _lastTotal = progress.BytesTotal;
                _lastFile = progress.CurrentFile;
            }
            else if (!ReferenceEquals(progress.CurrentFile, _lastFile))
            {
                _task.Description = Label(progress.CurrentFile);
                _lastFile = progress.CurrentFile;
            }

            _lastDone = progress.BytesDone;
            _task.Value = progress.BytesDone;
        }

        private string Label(string currentFile)
            => Markup.Escape($"{title} {Path.GetFileName(currentFile)}");
    }
}
