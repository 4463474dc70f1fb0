/** The capture interfaces, for the CLI and the API (native/interface-list.ts, through the service layer). */
export { listCaptureInterfaces, type CaptureInterfaceInfo, type InterfaceAddress } from '../../native/interface-list';
