// The application version shown in the UI and recorded with runs.
export const APP_VERSION = '0.1.0'
