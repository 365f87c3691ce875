// The doctor: checks, their runner and the report renderer.
export {runDoctor, renderDoctorReport, defaultChecks, type DoctorReport, type RunDoctorOptions} from './run-doctor.js'
export {registryAuthStatus} from './auth.js'
export type {AuthStatus, AuthStatusProvider, CheckResult, CheckStatus, DoctorCheck, DoctorContext} from './types.js'
