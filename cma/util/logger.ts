export { createLogger, silentLogger, type Logger } from '../../common/logger';
