using System.Globalization;
using System.Text;
using AeroSnapshot.Fast.IO;

namespace AeroSnapshot.Fast.Backup;

/// <summary>
/// Finishes or undoes a restore from a backup that was interrupted. D is the data directory, T
/// <c>D.restore-backup-tmp</c>, N its <c>data/</c>, R its <c>READY</c> (which records N's inode). The
/// restore passes through:
/// <list type="number">
/// <item>T made, N being unpacked and validated, no R. D is the old data, untouched. → undo: delete T.</item>
/// <item>R written: N is the new data, complete, validated and durable; D still the old. → undo:
/// delete T. (Finishing would be correct too; undoing changes nothing the user has seen.)</item>
/// <item>Swapped: one <c>RENAME_EXCHANGE</c> put N at D and the old data at N. D has R's inode. →
/// finish: delete T (which now holds the old data).</item>
/// <item>T partly deleted. → finish: delete the rest.</item>
/// </list>
/// D is a complete data directory in every state, old before the exchange and new after it, because
/// the exchange is one atomic step; that is why both recovery actions are "delete T", and why
/// <c>&lt;data-dir&gt;.old</c> of the contract's wording is T's <c>data/</c> here: the old data is moved
/// aside by the same system call that puts the new one in place, so there is no moment without D.
/// Deleting is idempotent, so recovery may itself be interrupted. Only T's lock holder acts: a T a
/// live run holds is never recovered (<see cref="BackupRestoreClaim"/>).
/// </summary>
internal static class BackupRestoreRecovery
{
    private const string InodePrefix = "new-data-inode=";

    /// <summary>
    /// Finishes or undoes the restore T belongs to, under T's lock (<see cref="BackupRestoreClaim"/>):
    /// a T a live run holds is refused, never touched. With <paramref name="preview"/>, says which
    /// it would do and changes nothing.
    /// </summary>
    public static List<string> Recover(BackupRestorePaths paths, bool preview = false)
    {
        using BackupRestoreClaim? claim = BackupRestoreClaim.TryLockExisting(paths);
        return claim is null ? [] : RecoverLocked(paths, preview);
    }

    /// <summary>Finishes or undoes it (or, with <paramref name="preview"/>, only says which); the caller holds T's lock.</summary>
    public static List<string> RecoverLocked(BackupRestorePaths paths, bool preview = false)
    {
        var handled = new List<string>();
        if (NativeFile.TryStatus(paths.Temporary) is null)
        {
            return handled;
        }

        ulong? newInode = ReadyInode(paths);
        bool swapped = newInode is { } inode && NativeFile.TryStatus(paths.DataDirectory) is { Kind: FileKind.Directory } data && data.Inode == inode;
        if (!preview)
        {
            DirectoryTree.Delete(paths.Temporary);
            NativeFile.SyncDirectory(paths.Parent);
        }

        handled.Add(swapped
            ? $"{Path.GetFileName(paths.Temporary)} (restore from a backup finished: the previous data directory was deleted)"
            : $"{Path.GetFileName(paths.Temporary)} (restore from a backup undone before its swap: the data directory was never touched)");
        return handled;
    }

    /// <summary>Writes R durably, recording the inode of the new data directory.</summary>
    public static void WriteReady(BackupRestorePaths paths, ulong newDataInode)
        => DurableFile.Replace(paths.Ready, Encoding.UTF8.GetBytes(InodePrefix + newDataInode.ToString(CultureInfo.InvariantCulture) + "\n"));

    private static ulong? ReadyInode(BackupRestorePaths paths)
    {
        byte[]? bytes = NativeFile.TryStatus(paths.Ready) is { Kind: FileKind.Regular } ? DurableFile.TryReadSmall(paths.Ready, 256) : null;
        if (bytes is null)
        {
            return null;
        }

        string text = Encoding.UTF8.GetString(bytes);
        return text.StartsWith(InodePrefix, StringComparison.Ordinal) && text.EndsWith('\n')
            && ulong.TryParse(text.AsSpan(InodePrefix.Length, text.Length - InodePrefix.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode)
            ? inode
            : null;
    }
}
