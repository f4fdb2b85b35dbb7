; thingflash's per-user Windows installer (NSIS 3, built on Linux by scripts/build-windows).
; No administrator rights: it installs under %LOCALAPPDATA%\Programs\thingflash, adds a
; Start-menu shortcut, registers its uninstaller in "Apps & features" (HKCU), and offers
; thingflash in "Open with" for .pem, .crt and .key files without taking them over.
; Silent: setup.exe /S ; uninstall: "%LOCALAPPDATA%\Programs\thingflash\uninstall.exe" /S
Unicode true
; 64-bit stubs: the 32-bit default stub is a 32-bit program for a 64-bit exe.
Target amd64-unicode
RequestExecutionLevel user
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "pass -DVERSION=x.y.z"
!endif
!define APP "thingflash"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"
!define APP_KEY "Software\Classes\Applications\${APP}.exe"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
Icon "${ICON}"
UninstallIcon "${ICON}"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "FileDescription" "${APP} installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "thingflash developers"

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Section "thingflash"
  SetOutPath "$INSTDIR"
  File "/oname=${APP}.exe" "${EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${APP}.exe"

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "thingflash developers"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${APP}.exe"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1

  ; "Open with": the application and the types it reads; the default program stays.
  WriteRegStr HKCU "${APP_KEY}" "FriendlyAppName" "${APP}"
  WriteRegStr HKCU "${APP_KEY}\shell\open\command" "" '"$INSTDIR\${APP}.exe" "%1"'
  WriteRegStr HKCU "${APP_KEY}\SupportedTypes" ".pem" ""
  WriteRegStr HKCU "${APP_KEY}\SupportedTypes" ".crt" ""
  WriteRegStr HKCU "${APP_KEY}\SupportedTypes" ".key" ""
  WriteRegStr HKCU "Software\Classes\.pem\OpenWithList\${APP}.exe" "" ""
  WriteRegStr HKCU "Software\Classes\.crt\OpenWithList\${APP}.exe" "" ""
  WriteRegStr HKCU "Software\Classes\.key\OpenWithList\${APP}.exe" "" ""
SectionEnd

Section "Uninstall"
  Delete "$INSTDIR\${APP}.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${APP}.lnk"
  DeleteRegKey HKCU "${UNINST_KEY}"
  DeleteRegKey HKCU "${APP_KEY}"
  DeleteRegKey HKCU "Software\Classes\.pem\OpenWithList\${APP}.exe"
  DeleteRegKey HKCU "Software\Classes\.crt\OpenWithList\${APP}.exe"
  DeleteRegKey HKCU "Software\Classes\.key\OpenWithList\${APP}.exe"
  ; Settings in %APPDATA%\thingflash are the user's: kept.
SectionEnd
