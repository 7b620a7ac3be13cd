Description: rift default batch - incident-response keys covered by rift's plugins
Author: rift developers
Version: 1
Id: 0d3f7a52-6c1e-4b8e-9a57-2f4c1b7e9d10
Keys:
# Written for rift in RECmd's batch schema; runs in RECmd too.
    -
        Description: UserAssist
        HiveType: NTUSER
        Category: Program Execution
        KeyPath: Software\Microsoft\Windows\CurrentVersion\Explorer\UserAssist\*\Count
        Recursive: false
        IncludeBinary: true
        Comment: "GUI program launches; value names are ROT13 (rift reg plugins decodes them)"
    -
        Description: RecentDocs
        HiveType: NTUSER
        Category: File and Folder Opening
        KeyPath: Software\Microsoft\Windows\CurrentVersion\Explorer\RecentDocs
        Recursive: true
        Comment: "Recently opened files by extension (MRUListEx order)"
    -
        Description: RunMRU
        HiveType: NTUSER
        Category: Program Execution
        KeyPath: Software\Microsoft\Windows\CurrentVersion\Explorer\RunMRU
        Recursive: false
        Comment: "Commands typed in the Run dialog"
    -
        Description: TypedPaths
        HiveType: NTUSER
        Category: File and Folder Opening
        KeyPath: Software\Microsoft\Windows\CurrentVersion\Explorer\TypedPaths
        Recursive: false
        Comment: "Paths typed in the Explorer address bar"
    -
        Description: Run (user)
        HiveType: NTUSER
        Category: Autoruns
        KeyPath: Software\Microsoft\Windows\CurrentVersion\Run
        Recursive: false
        Comment: "Programs started at logon of this user"
    -
        Description: RunOnce (user)
        HiveType: NTUSER
        Category: Autoruns
        KeyPath: Software\Microsoft\Windows\CurrentVersion\RunOnce
        Recursive: false
        Comment: "Programs started once at next logon of this user"
    -
        Description: MountPoints2
        HiveType: NTUSER
        Category: Devices
        KeyPath: Software\Microsoft\Windows\CurrentVersion\Explorer\MountPoints2
        Recursive: true
        Comment: "Volumes and shares this user mounted"
    -
        Description: Run (machine)
        HiveType: SOFTWARE
        Category: Autoruns
        KeyPath: Microsoft\Windows\CurrentVersion\Run
        Recursive: false
        Comment: "Programs started at every logon"
    -
        Description: RunOnce (machine)
        HiveType: SOFTWARE
        Category: Autoruns
        KeyPath: Microsoft\Windows\CurrentVersion\RunOnce
        Recursive: false
        Comment: "Programs started once at next logon"
    -
        Description: Run (machine, 32-bit)
        HiveType: SOFTWARE
        Category: Autoruns
        KeyPath: WOW6432Node\Microsoft\Windows\CurrentVersion\Run
        Recursive: false
        Comment: "32-bit programs started at every logon"
    -
        Description: ProfileList
        HiveType: SOFTWARE
        Category: User Accounts
        KeyPath: Microsoft\Windows NT\CurrentVersion\ProfileList\*
        ValueName: ProfileImagePath
        Recursive: false
        Comment: "SID to profile folder"
    -
        Description: OS version
        HiveType: SOFTWARE
        Category: System Info
        KeyPath: Microsoft\Windows NT\CurrentVersion
        ValueName: ProductName
        Recursive: false
        Comment: "Windows edition"
    -
        Description: OS install date
        HiveType: SOFTWARE
        Category: System Info
        KeyPath: Microsoft\Windows NT\CurrentVersion
        ValueName: InstallDate
        BinaryConvert: EPOCH
        Recursive: false
        Comment: "Installation time (Unix seconds)"
    -
        Description: TaskCache tasks
        HiveType: SOFTWARE
        Category: Persistence
        KeyPath: Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tasks\*
        ValueName: Path
        Recursive: false
        Comment: "Scheduled tasks by GUID"
    -
        Description: TaskCache tree
        HiveType: SOFTWARE
        Category: Persistence
        KeyPath: Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree
        Recursive: true
        Comment: "Scheduled task folders (a task without SD is hidden)"
    -
        Description: Windows Defender policy
        HiveType: SOFTWARE
        Category: Antivirus
        KeyPath: Policies\Microsoft\Windows Defender
        Recursive: true
        Comment: "DisableAntiSpyware, Real-Time Protection, Exclusions set by policy"
    -
        Description: Windows Defender exclusions
        HiveType: SOFTWARE
        Category: Antivirus
        KeyPath: Microsoft\Windows Defender\Exclusions
        Recursive: true
        Comment: "Exclusion paths, processes, extensions (value names)"
    -
        Description: Windows Defender features
        HiveType: SOFTWARE
        Category: Antivirus
        KeyPath: Microsoft\Windows Defender\Features
        ValueName: TamperProtection
        Recursive: false
        Comment: "5 = on, 4 or 0 = off"
    -
        Description: Network profiles
        HiveType: SOFTWARE
        Category: Network
        KeyPath: Microsoft\Windows NT\CurrentVersion\NetworkList\Profiles\*
        Recursive: false
        IncludeBinary: true
        BinaryConvert: SYSTEMTIME
        Comment: "Networks this machine joined (DateCreated, DateLastConnected)"
    -
        Description: Computer name
        HiveType: SYSTEM
        Category: System Info
        KeyPath: ControlSet00*\Control\ComputerName\ComputerName
        ValueName: ComputerName
        Recursive: false
        Comment: "NetBIOS name"
    -
        Description: Time zone
        HiveType: SYSTEM
        Category: System Info
        KeyPath: ControlSet00*\Control\TimeZoneInformation
        Recursive: false
        Comment: "Bias in minutes; UTC = local + bias"
    -
        Description: Current control set
        HiveType: SYSTEM
        Category: System Info
        KeyPath: Select
        ValueName: Current
        Recursive: false
        Comment: "ControlSet00N in use"
    -
        Description: Shutdown time
        HiveType: SYSTEM
        Category: System Info
        KeyPath: ControlSet00*\Control\Windows
        ValueName: ShutdownTime
        IncludeBinary: true
        BinaryConvert: FILETIME
        Recursive: false
        Comment: "Last clean shutdown"
    -
        Description: BAM
        HiveType: SYSTEM
        Category: Program Execution
        KeyPath: ControlSet00*\Services\bam\State\UserSettings\*
        Recursive: false
        IncludeBinary: true
        BinaryConvert: FILETIME
        Comment: "Background Activity Moderator: last run per executable and SID (1809+)"
    -
        Description: BAM (1709-1803 layout)
        HiveType: SYSTEM
        Category: Program Execution
        KeyPath: ControlSet00*\Services\bam\UserSettings\*
        Recursive: false
        IncludeBinary: true
        BinaryConvert: FILETIME
        Comment: "Background Activity Moderator, older key layout"
    -
        Description: DAM
        HiveType: SYSTEM
        Category: Program Execution
        KeyPath: ControlSet00*\Services\dam\State\UserSettings\*
        Recursive: false
        IncludeBinary: true
        BinaryConvert: FILETIME
        Comment: "Desktop Activity Moderator"
    -
        Description: AppCompatCache
        HiveType: SYSTEM
        Category: Program Execution
        KeyPath: ControlSet00*\Control\Session Manager\AppCompatCache
        ValueName: AppCompatCache
        Recursive: false
        Comment: "ShimCache (rift reg plugins parses it)"
    -
        Description: Services
        HiveType: SYSTEM
        Category: Services
        KeyPath: ControlSet00*\Services\*
        ValueName: ImagePath
        Recursive: false
        Comment: "Service and driver binaries"
    -
        Description: USBSTOR
        HiveType: SYSTEM
        Category: Devices
        KeyPath: ControlSet00*\Enum\USBSTOR
        Recursive: true
        Comment: "USB mass storage devices"
    -
        Description: MountedDevices
        HiveType: SYSTEM
        Category: Devices
        KeyPath: MountedDevices
        Recursive: false
        IncludeBinary: true
        Comment: "Drive letters and volume GUIDs"
    -
        Description: ShellBags
        HiveType: USRCLASS
        Category: Folder Access
        KeyPath: Local Settings\Software\Microsoft\Windows\Shell\BagMRU
        Recursive: true
        Comment: "Folders browsed in Explorer (rift reg plugins decodes the shell items)"
    -
        Description: Amcache files
        HiveType: AMCACHE
        Category: Program Execution
        KeyPath: Root\InventoryApplicationFile\*
        ValueName: LowerCaseLongPath
        Recursive: false
        Comment: "Executables seen; key last write = first seen"
    -
        Description: Amcache applications
        HiveType: AMCACHE
        Category: Installed Software
        KeyPath: Root\InventoryApplication\*
        ValueName: Name
        Recursive: false
        Comment: "Installed programs"
    -
        Description: SAM users
        HiveType: SAM
        Category: User Accounts
        KeyPath: SAM\Domains\Account\Users\Names\*
        Recursive: false
        Comment: "Local user names"
