using AeroSnapshot.Fast.IO;
using AeroSnapshot.Fast.Tests.Support;

namespace AeroSnapshot.Fast.Tests.Locking;

/// <summary>
/// A <c>LOCK</c> that root's command creates in the database's directory belongs to the database's
/// account, which must go on opening it for writing once the command is done (issue 25 item 2).
/// </summary>
public sealed class DataDirectoryLockOwnershipTests : IDisposable
{
    private readonly TestDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [PrivilegedFact]
    public void A_lock_file_created_as_root_gets_the_data_directorys_owner_and_group()
    {
        OwnerAndModes.GiveToServiceAccount(_data.Root);

        using (DataDirectoryLock held = DataDirectoryLock.Acquire(_data.Root))
        {
            Assert.True(held.CreatedLockFile);
        }

        FileStatus lockFile = OwnerAndModes.Of(Path.Join(_data.Root, "LOCK"));
        Assert.Equal((OwnerAndModes.ServiceUser, OwnerAndModes.ServiceGroup), (lockFile.Owner, lockFile.Group));
    }

    [PrivilegedFact]
    public void A_lock_file_that_was_there_keeps_its_owner()
    {
        string lockFile = Path.Join(_data.Root, "LOCK");
        File.WriteAllText(lockFile, string.Empty);
        OwnerAndModes.GiveToServiceAccount(_data.Root);
        AeroSnapshot.TestSupport.ExternalCommand.Run("chown", "4242:4243", lockFile);

        using (DataDirectoryLock.Acquire(_data.Root))
        {
        }

        Assert.Equal((4242u, 4243u), (OwnerAndModes.Of(lockFile).Owner, OwnerAndModes.Of(lockFile).Group));
    }
}
